import type { SQSEvent } from "aws-lambda";

/** An SQS event as Lambda delivers it, from message ids and bodies (the rest filled as SQS fills it). */
export const sqsEvent = (messages: readonly { messageId: string; body: string }[]): SQSEvent => ({
  Records: messages.map(({ messageId, body }) => ({
    messageId,
    body,
    receiptHandle: `receipt-${messageId}`,
    attributes: { ApproximateReceiveCount: "1", SentTimestamp: "0", SenderId: "local", ApproximateFirstReceiveTimestamp: "0" },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:queue",
    awsRegion: "us-east-1",
  })),
});
