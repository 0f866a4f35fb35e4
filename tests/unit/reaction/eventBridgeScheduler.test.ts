import * as assert from "node:assert/strict";
import { ConflictException, CreateScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { EventBridgeScheduler } from "../../../handlers/runtime/aws/eventBridgeScheduler";
import { ScheduledCommand } from "../../../handlers/runtime/reaction/scheduled";

/** A Scheduler client stubbed at client level: every CreateSchedule input kept, answered by `answer`. */
function stubClient(answer: (input: CreateScheduleCommand["input"]) => Promise<unknown> = async () => ({ ScheduleArn: "arn" })) {
  const inputs: CreateScheduleCommand["input"][] = [];
  const client = {
    send: async (command: unknown) => {
      assert.ok(command instanceof CreateScheduleCommand, "only CreateSchedule is sent");
      inputs.push(command.input);
      return answer(command.input);
    },
  } as unknown as SchedulerClient;
  return { client, inputs };
}

const options = {
  groupName: "orders-cancel-unpaid-schedules",
  queueArn: "arn:aws:sqs:eu-west-1:123456789012:orders-cancel-unpaid",
  roleArn: "arn:aws:iam::123456789012:role/orders-cancel-unpaid-scheduler",
  deadLetterQueueArn: "arn:aws:sqs:eu-west-1:123456789012:orders-cancel-unpaid-dlq",
};

const command = (at: string): ScheduledCommand => ({
  kind: "scheduled-command",
  reaction: "cancel-unpaid",
  aggregateId: "order-1",
  command: { type: "CancelUnpaid" },
  idempotencyKey: "reaction:cancel-unpaid:abc",
  at,
  source: { service: "orders", aggregateId: "order-1", version: 1, type: "OrderPlaced" },
});

describe("EventBridgeScheduler: a command for later as a one-time schedule", () => {
  it("asks for the command's time in UTC rounded up to the second, so that Scheduler never runs it early", async () => {
    const { client, inputs } = stubClient();
    const scheduler = new EventBridgeScheduler(client, options);
    await scheduler.schedule(command("2026-12-02T10:15:00.400Z"));
    await scheduler.schedule(command("2026-12-02T10:15:00.000Z"));
    assert.deepEqual(
      inputs.map((input) => [input.ScheduleExpression, input.ScheduleExpressionTimezone]),
      [
        ["at(2026-12-02T10:15:01)", "UTC"],
        ["at(2026-12-02T10:15:00)", "UTC"],
      ],
    );
  });

  it("sends the command to the reactor's queue with the DLQ, the retry policy and deletion once run, under a name from its key", async () => {
    const { client, inputs } = stubClient();
    await new EventBridgeScheduler(client, options).schedule(command("2026-12-02T10:15:00.000Z"));
    const [input] = inputs;
    assert.equal(input.GroupName, options.groupName);
    assert.equal(input.ActionAfterCompletion, "DELETE");
    assert.deepEqual(input.FlexibleTimeWindow, { Mode: "OFF" });
    assert.deepEqual(
      [input.Target?.Arn, input.Target?.RoleArn, input.Target?.DeadLetterConfig?.Arn],
      [options.queueArn, options.roleArn, options.deadLetterQueueArn],
    );
    assert.deepEqual(JSON.parse(input.Target!.Input!), command("2026-12-02T10:15:00.000Z"), "the command as the reactor reads it back");
    assert.ok(input.Name && input.Name.length <= 64, "a schedule name within Scheduler's 64 characters");
  });

  it("takes a schedule of that name already there (a redelivered source event) as asked for", async () => {
    const { client } = stubClient(async () => {
      throw new ConflictException({ message: "Schedule already exists", Message: "Schedule already exists", $metadata: {} });
    });
    await new EventBridgeScheduler(client, options).schedule(command("2026-12-02T10:15:00.000Z"));
  });
});
