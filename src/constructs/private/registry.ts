/**
 * Bookkeeping across constructs that must not import each other: the
 * connection of each stack, and every input name of an app. The service
 * allows several inputs of one name, but a deploy matches a declared input to
 * a live one by name and owner, so one name declared twice in an app (even
 * across stacks) would have two declarations fight over one input: refused.
 */
import { TerraformProvider } from './core';
import { IConstruct } from 'constructs';
import { ConnectionSpec } from '../../runtime/protocol';
import type { AloomaSecret } from '../secret';
import { AloomaEngine, DEFAULT_ENGINE } from './engine';

/** What the reconciler needs from a stack's `AloomaConnection`. */
export interface StackConnection {
  /** The connection construct. */
  readonly construct: IConstruct;
  readonly engine: AloomaEngine;
  readonly nullProvider?: TerraformProvider;
  readonly spec: ConnectionSpec;
  readonly owner?: string;
  readonly concurrency?: number;
  /** The API key from Terraform, which the apply step receives. */
  readonly terraformApiKey?: AloomaSecret;
}

const connections = new WeakMap<IConstruct, StackConnection>();

/** The connection declared in `stack`, if any. */
export function connectionOf(stack: IConstruct): StackConnection | undefined {
  return connections.get(stack);
}

/** The engine of `stack`: its connection's, else the default (the provider). */
export function engineOf(stack: IConstruct): AloomaEngine {
  return connections.get(stack)?.engine ?? DEFAULT_ENGINE;
}

const defaultEngineUsers = new WeakMap<IConstruct, IConstruct>();

/**
 * Records that `input` was declared in `stack` before any connection, so
 * with the default engine; a connection declared later may not choose
 * another one.
 */
export function registerDefaultEngineUse(stack: IConstruct, input: IConstruct): void {
  if (!defaultEngineUsers.has(stack)) defaultEngineUsers.set(stack, input);
}

/** The first construct of `stack` that was declared with the default engine, if any. */
export function firstDefaultEngineUser(stack: IConstruct): IConstruct | undefined {
  return defaultEngineUsers.get(stack);
}

/** Records the connection of `stack`; the caller checks there was none. */
export function registerConnection(stack: IConstruct, connection: StackConnection): void {
  connections.set(stack, connection);
}

const inputNames = new WeakMap<IConstruct, Map<string, IConstruct[]>>();

/** Records that `input` uses `name` in the app rooted at `input.node.root`. */
export function registerInputName(input: IConstruct, name: string): void {
  let names = inputNames.get(input.node.root);
  if (!names) inputNames.set(input.node.root, (names = new Map()));
  const holders = names.get(name);
  if (holders) holders.push(input);
  else names.set(name, [input]);
}

/** Other inputs of the app that use `name`. */
export function otherInputsNamed(input: IConstruct, name: string): IConstruct[] {
  return (inputNames.get(input.node.root)?.get(name) ?? []).filter((other) => other !== input);
}
