/**
 * `NativeError` and the single `check(status)` choke point that throws it.
 *
 * @module
 */

/** Names of the native status codes (`rm_status` in `remotemedia.h`). */
export const STATUS_NAMES: Readonly<Record<number, string>> = {
  0: "RM_OK",
  [-1]: "RM_ERR_NULL_POINTER",
  [-2]: "RM_ERR_INVALID_ARGUMENT",
  [-3]: "RM_ERR_BUFFER_TOO_SMALL",
  [-4]: "RM_ERR_UNSUPPORTED",
  [-5]: "RM_ERR_DEVICE_UNAVAILABLE",
  [-6]: "RM_ERR_PANIC",
  [-7]: "RM_ERR_INVALID_HANDLE",
  [-8]: "RM_ERR_OUT_OF_MEMORY",
  [-9]: "RM_ERR_IO",
  [-10]: "RM_ERR_BACKEND",
  [-11]: "RM_ERR_BUSY",
  [-12]: "RM_ERR_TIMEOUT",
  [-13]: "RM_ERR_CANCELLED",
};

/**
 * An error reported by the native library: a negative status code, the symbol that
 * returned it, and the library's own message.
 *
 * @example Catching a native error
 * ```ts ignore
 * try {
 *   convert.int16ToFloat32(new Int16Array(4), new Float32Array(2));
 * } catch (e) {
 *   if (e instanceof NativeError) console.log(e.code, e.codeName, e.symbol);
 * }
 * ```
 */
export class NativeError extends Error {
  /** The negative status code. */
  readonly code: number;
  /** The code's name, e.g. `RM_ERR_BUFFER_TOO_SMALL`. */
  readonly codeName: string;
  /** The native function that failed, e.g. `rm_i16_to_f32`. */
  readonly symbol: string;

  /**
   * Create the error (normally only `NativeLibrary.check` does).
   *
   * @param code Negative status code.
   * @param symbol Native function name.
   * @param message Message from `rm_last_error`.
   */
  constructor(code: number, symbol: string, message: string) {
    const codeName = STATUS_NAMES[code] ?? `RM_ERR_UNKNOWN(${code})`;
    super(`${symbol} failed with ${codeName}: ${message}`);
    this.name = "NativeError";
    this.code = code;
    this.codeName = codeName;
    this.symbol = symbol;
  }
}
