import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { BusEntry } from "../dispatch/batching";
import { Bus } from "../dispatch/publisher";

/** The Bus on a real EventBridge bus. */
export class EventBridgeBus implements Bus {
  constructor(
    private readonly client: EventBridgeClient,
    readonly eventBusName: string,
  ) {}

  async putEvents(entries: readonly BusEntry[]): Promise<(string | undefined)[]> {
    const response = await this.client.send(
      new PutEventsCommand({
        Entries: entries.map((entry) => ({
          EventBusName: this.eventBusName,
          Source: entry.source,
          DetailType: entry.detailType,
          Detail: entry.detail,
        })),
      }),
    );
    const results = response.Entries ?? [];
    return entries.map((_entry, index) => {
      const result = results[index];
      if (!result) return "no result returned for this entry";
      return result.ErrorCode ? `${result.ErrorCode}: ${result.ErrorMessage ?? ""}`.trim() : undefined;
    });
  }
}
