import { InMemoryEventStore } from "../../../handlers/runtime/memory/eventStore";
import { InMemoryReadModel } from "../../../handlers/runtime/memory/readModel";
import { InMemorySnapshotStore } from "../../../handlers/runtime/memory/snapshotStore";
import { eventStoreContract, readModelContract, snapshotStoreContract } from "../../support/storeContracts";

describe("in-memory stores", () => {
  eventStoreContract(async () => new InMemoryEventStore());
  snapshotStoreContract(async () => new InMemorySnapshotStore());
  readModelContract(async () => new InMemoryReadModel());
});
