/**
 * What happens to an input in Alooma when its construct is removed from the
 * code or the stack is destroyed.
 */
export enum RemovalPolicy {
  /** Delete the input from Alooma (the default). */
  DESTROY = 'destroy',
  /**
   * Keep the input in Alooma; the stack merely stops managing it. With
   * engine `provider` it is the resource's `retain_on_delete = true`, kept in
   * state, so it holds even after the construct is removed.
   */
  RETAIN = 'retain',
}
