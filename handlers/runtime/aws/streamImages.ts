import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { ImageReader } from "../dispatch/streamRecords";

/** A stream record's new image as the plain item it holds (the dispatcher's `unmarshall`). */
export const unmarshallImage: ImageReader = (image) => unmarshall(image as Record<string, AttributeValue>);
