import { bankLedger } from "../../support/ledgerFixture";
import { upcastingSuite } from "../../support/upcastingSuite";

describe("DynamoDB ledger (DynamoDB Local)", () => upcastingSuite(async () => (await bankLedger()).events));
