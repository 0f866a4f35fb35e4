import { Command } from "../command";
import { dev } from "./dev";
import { dlq } from "./dlq";
import { inspect } from "./inspect";
import { recover } from "./recover";
import { replay } from "./replay";

/** The commands of `event-ledger`, in the order help lists them: add one by adding its definition here. */
export const COMMANDS: readonly Command[] = [replay, recover, dlq, inspect, dev];
