import { inventoryService } from "./index";

/** The scratch program Pulumi would run: one inventory service. */
export const inventory = inventoryService("inventory");
