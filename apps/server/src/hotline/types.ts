// The request and answer schemas live in the API contract (packages/contract).
export { Hotline, HotlineInput, HotlineParams, HotlinePatch } from '@klaxon/contract';
