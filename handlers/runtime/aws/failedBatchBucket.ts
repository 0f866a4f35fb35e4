import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";

/**
 * The objects of the dispatcher's failed-batches bucket (what Lambda wrote for each batch it gave
 * up on), oldest key first within each listing page, as `recoverFailedBatches` reads them.
 */
export async function* failedBatchObjects(s3: S3Client, bucket: string, prefix?: string): AsyncGenerator<{ source: string; body: string }> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      if (!object.Key) continue;
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
      yield { source: `s3://${bucket}/${object.Key}`, body: (await got.Body?.transformToString("utf8")) ?? "" };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}
