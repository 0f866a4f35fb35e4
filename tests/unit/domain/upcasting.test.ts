import { InMemoryEventStore } from "../../../handlers/runtime/memory/eventStore";
import { upcastingSpecSuite, upcastingSuite } from "../../support/upcastingSuite";

describe("in-memory ledger", () => upcastingSuite(async () => new InMemoryEventStore()));
describe("decider specs of an upcasting domain", () => upcastingSpecSuite());
