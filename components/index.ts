export { EventLedger, EventLedgerArgs } from "./eventLedger";
export { BusAccessArgs, ServiceBus, ServiceBusArgs } from "./serviceBus";
export { BusInput, ServiceBusAttributes } from "./busRef";
export { BusForwarding, BusForwardingArgs } from "./busForwarding";
export { AggregateDispatcher, AggregateDispatcherArgs } from "./aggregateDispatcher";
export { Projector, ProjectorArgs, TableRef } from "./projector";
export { Reactor, ReactorArgs } from "./reactor";
export { CommandApi, CommandApiArgs, CommandApiAuth } from "./commandApi";
export { CommandApiDax } from "./commandApiDax";
export {
  FunctionArgs,
  FunctionComponentArgs,
  FunctionLogGroupArgs,
  FunctionLogGroupCreateArgs,
  FunctionRoleArgs,
  FunctionRoleCreateArgs,
  LogGroupRef,
  RoleRef,
  Tags,
} from "./handlerFunction";
export { AlarmsArgs } from "./alarms";
export { PolicyStatement } from "./policy";
