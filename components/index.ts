export { EventLedger, EventLedgerArgs } from "./eventLedger";
export { ServiceBus, ServiceBusArgs } from "./serviceBus";
export { AggregateDispatcher, AggregateDispatcherArgs } from "./aggregateDispatcher";
export { Projector, ProjectorArgs, TableRef } from "./projector";
export { CommandApi, CommandApiArgs, CommandApiAuth, CommandApiDax } from "./commandApi";
export { FunctionArgs, RoleRef, Tags } from "./handlerFunction";
export { AlarmsArgs } from "./alarms";
export { PolicyStatement } from "./policy";
