/** Where the dashboard listens by default, and which hosts only this machine can reach. */

/** TensorBoard's is 6006. */
export const DEFAULT_PORT = 6007;
/** Loopback: only this machine can connect. */
export const DEFAULT_HOST = '127.0.0.1';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]', '::1'];

export function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.includes(host) || host.startsWith('127.');
}
