// The request and answer schemas live in the API contract (packages/contract).
export { CheckinParams, Heartbeat, HeartbeatInput, HeartbeatName, HeartbeatParams, HeartbeatPatch, PingParams } from '@klaxon/contract';
