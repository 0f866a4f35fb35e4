import { SQSClient } from "@aws-sdk/client-sqs";
import { ObservedCall, observeClient } from "./iam";

interface FakeMessage {
  MessageId: string;
  Body: string;
  MessageAttributes?: Record<string, { DataType: string; StringValue?: string }>;
  Attributes?: Record<string, string>;
  visible: boolean;
  receipt?: string;
}

interface FakeQueue {
  url: string;
  arn: string;
  deadLetterTargetArn?: string;
  messages: FakeMessage[];
}

/**
 * An SQSClient stubbed at client level with the few SQS operations the dead-letter redrive uses,
 * answered from queues in memory as SQS would (receives hide messages until deleted or made
 * visible again). Every call is recorded.
 */
export function fakeSqs(queues: { name: string; deadLetterQueue?: string; messages?: Omit<FakeMessage, "visible">[] }[]) {
  const region = "eu-west-1";
  const account = "123456789012";
  const byUrl = new Map<string, FakeQueue>();
  const urlOf = (name: string) => `https://sqs.${region}.amazonaws.com/${account}/${name}`;
  const arnOf = (name: string) => `arn:aws:sqs:${region}:${account}:${name}`;
  for (const queue of queues) {
    byUrl.set(urlOf(queue.name), {
      url: urlOf(queue.name),
      arn: arnOf(queue.name),
      deadLetterTargetArn: queue.deadLetterQueue ? arnOf(queue.deadLetterQueue) : undefined,
      messages: (queue.messages ?? []).map((message) => ({ ...message, visible: true })),
    });
  }
  const queue = (url: string) => {
    const found = byUrl.get(url);
    if (!found) throw Object.assign(new Error("The specified queue does not exist."), { name: "QueueDoesNotExist" });
    return found;
  };
  let receipts = 0;
  let sent = 0;
  const client = new SQSClient({ region, credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  const calls: ObservedCall[] = [];
  observeClient(client, "sqs", calls, (operation, input) => {
    switch (operation) {
      case "ReceiveMessage": {
        const visible = queue(input.QueueUrl)
          .messages.filter((message) => message.visible)
          .slice(0, input.MaxNumberOfMessages ?? 1);
        for (const message of visible) {
          message.visible = false;
          message.receipt = `r-${++receipts}`;
        }
        return { Messages: visible.map(({ visible: _visible, receipt, ...message }) => ({ ...message, ReceiptHandle: receipt })) };
      }
      case "DeleteMessageBatch": {
        const target = queue(input.QueueUrl);
        target.messages = target.messages.filter(
          (message) => !input.Entries.some((entry: { ReceiptHandle: string }) => entry.ReceiptHandle === message.receipt),
        );
        return { Successful: input.Entries.map((entry: { Id: string }) => ({ Id: entry.Id })), Failed: [] };
      }
      case "ChangeMessageVisibilityBatch": {
        for (const entry of input.Entries) {
          const message = queue(input.QueueUrl).messages.find((candidate) => candidate.receipt === entry.ReceiptHandle);
          if (message && entry.VisibilityTimeout === 0) message.visible = true;
        }
        return { Successful: input.Entries.map((entry: { Id: string }) => ({ Id: entry.Id })), Failed: [] };
      }
      case "ListDeadLetterSourceQueues": {
        const dlq = queue(input.QueueUrl);
        return {
          queueUrls: [...byUrl.values()].filter((candidate) => candidate.deadLetterTargetArn === dlq.arn).map((candidate) => candidate.url),
        };
      }
      case "GetQueueAttributes":
        return { Attributes: { QueueArn: queue(input.QueueUrl).arn } };
      case "GetQueueUrl": {
        const url = urlOf(input.QueueName);
        queue(url);
        return { QueueUrl: url };
      }
      case "SendMessage": {
        const id = `sent-${++sent}`;
        queue(input.QueueUrl).messages.push({
          MessageId: id,
          Body: input.MessageBody,
          ...(input.MessageAttributes ? { MessageAttributes: input.MessageAttributes } : {}),
          visible: true,
        });
        return { MessageId: id };
      }
      default:
        throw new Error(`the fake SQS does not answer ${operation}`);
    }
  });
  return { client, calls, urlOf, arnOf, messagesOf: (name: string) => queue(urlOf(name)).messages };
}
