import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  MessageAttributeValue,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { DeadLetterQueuePort, HeldMessage, MessageAttributes, RedriveTargetsPort } from "../operations/deadLetterRedrive/messages";

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, (index + 1) * size));

const fromSqs = (attributes: Record<string, MessageAttributeValue> | undefined): MessageAttributes =>
  Object.fromEntries(
    Object.entries(attributes ?? {}).map(([name, value]) => [
      name,
      {
        dataType: value.DataType ?? "String",
        ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
        ...(value.BinaryValue !== undefined ? { binaryValue: value.BinaryValue } : {}),
      },
    ]),
  );

const toSqs = (attributes: MessageAttributes): Record<string, MessageAttributeValue> =>
  Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      {
        DataType: value.dataType,
        ...(value.stringValue !== undefined ? { StringValue: value.stringValue } : {}),
        ...(value.binaryValue !== undefined ? { BinaryValue: value.binaryValue } : {}),
      },
    ]),
  );

/**
 * An SQS dead-letter queue as the redrive reads it. Reading a queue is receiving from it, so the
 * messages read are held invisible (for `holdSeconds`) until deleted or made visible again; a
 * receive that waits a second and finds nothing ends the reading (a wait asks every SQS server,
 * where an immediate receive samples only some).
 */
export class SqsDeadLetterQueueReader implements DeadLetterQueuePort {
  private readonly receipts = new Map<string, string>();

  constructor(
    private readonly client: SQSClient,
    readonly queueUrl: string,
    private readonly holdSeconds = 60,
  ) {}

  get label(): string {
    return this.queueUrl;
  }

  async hold(limit: number): Promise<{ messages: HeldMessage[]; more: boolean }> {
    const messages = new Map<string, HeldMessage>();
    while (messages.size < limit) {
      const response = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: Math.min(10, limit - messages.size),
          VisibilityTimeout: this.holdSeconds,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ["All"],
          MessageSystemAttributeNames: ["DeadLetterQueueSourceArn", "SentTimestamp"],
        }),
      );
      const received = response.Messages ?? [];
      if (received.length === 0) return { messages: [...messages.values()], more: false };
      for (const message of received) {
        // A standard queue may deliver a message twice: the later receipt handle is the valid one.
        this.receipts.set(message.MessageId!, message.ReceiptHandle!);
        const sentAt = Number(message.Attributes?.SentTimestamp);
        messages.set(message.MessageId!, {
          messageId: message.MessageId!,
          body: message.Body ?? "",
          attributes: fromSqs(message.MessageAttributes),
          ...(message.Attributes?.DeadLetterQueueSourceArn ? { sourceQueueArn: message.Attributes.DeadLetterQueueSourceArn } : {}),
          ...(Number.isFinite(sentAt) ? { sentAt } : {}),
        });
      }
    }
    return { messages: [...messages.values()], more: true };
  }

  async remove(messageIds: readonly string[]): Promise<string[]> {
    const undeleted = messageIds.filter((id) => !this.receipts.has(id));
    for (const chunk of chunks(
      messageIds.filter((id) => this.receipts.has(id)),
      10,
    )) {
      try {
        const response = await this.client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: chunk.map((id, index) => ({ Id: String(index), ReceiptHandle: this.receipts.get(id)! })),
          }),
        );
        const failed = new Set((response.Failed ?? []).map((entry) => chunk[Number(entry.Id)]));
        undeleted.push(...failed);
        for (const id of chunk) if (!failed.has(id)) this.receipts.delete(id);
      } catch {
        undeleted.push(...chunk);
      }
    }
    return undeleted;
  }

  async release(messageIds: readonly string[]): Promise<void> {
    for (const chunk of chunks(
      messageIds.filter((id) => this.receipts.has(id)),
      10,
    )) {
      // Best effort: a message not made visible again reappears when its hold expires anyway.
      await this.client
        .send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: chunk.map((id, index) => ({ Id: String(index), ReceiptHandle: this.receipts.get(id)!, VisibilityTimeout: 0 })),
          }),
        )
        .catch(() => undefined);
      for (const id of chunk) this.receipts.delete(id);
    }
  }

  async sourceQueues(): Promise<string[]> {
    const urls: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListDeadLetterSourceQueuesCommand({ QueueUrl: this.queueUrl, NextToken: nextToken, MaxResults: 1000 }),
      );
      urls.push(...(page.queueUrls ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    const arns: string[] = [];
    for (const url of urls) {
      const attributes = await this.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }));
      if (attributes.Attributes?.QueueArn) arns.push(attributes.Attributes.QueueArn);
    }
    return arns;
  }
}

/** A queue ARN's name and account, which GetQueueUrl takes. */
export function queueOfArn(arn: string): { name: string; account: string } {
  const [prefix, , service, , account, name] = arn.split(":");
  if (prefix !== "arn" || service !== "sqs" || !name || !account) throw new Error(`not an SQS queue ARN: ${arn}`);
  return { name, account };
}

/** Redrive destinations on AWS: queues by ARN (their URLs looked up once), and a replay for the dispatcher's letters. */
export class SqsRedriveTargets implements RedriveTargetsPort {
  private readonly urls = new Map<string, Promise<string>>();
  readonly replay?: RedriveTargetsPort["replay"];

  constructor(
    private readonly client: SQSClient,
    replay?: RedriveTargetsPort["replay"],
  ) {
    if (replay) this.replay = replay;
  }

  async sendToQueue(queueArn: string, body: string, attributes: MessageAttributes): Promise<void> {
    const url = await this.urlOf(queueArn);
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: body,
        ...(Object.keys(attributes).length > 0 ? { MessageAttributes: toSqs(attributes) } : {}),
      }),
    );
  }

  private urlOf(queueArn: string): Promise<string> {
    let url = this.urls.get(queueArn);
    if (!url) {
      const { name, account } = queueOfArn(queueArn);
      url = this.client
        .send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }))
        .then((response) => response.QueueUrl!);
      url.catch(() => this.urls.delete(queueArn));
      this.urls.set(queueArn, url);
    }
    return url;
  }
}
