/** Why a server could not listen, said as echelon's refusal: what the user chose (a port, a host) and what to do. */
import { EchelonError } from './errors.js';

/**
 * `error`, from a server's `listen(port, host)`, as an `invalid_option` naming `where` when it is
 * the caller's choice that failed — a port in use or not permitted, a host that is no address of
 * this machine — and as it is otherwise.
 *
 * @example
 * ```ts
 * server.once('error', (error) => reject(listenRefusal('serveLiveView', error, port, host)));
 * ```
 */
export function listenRefusal(where: string, error: NodeJS.ErrnoException, port: number, host: string): unknown {
  const refused = (message: string) => new EchelonError('invalid_option', `${where}: ${message}`, { cause: error });
  switch (error.code) {
    case 'EADDRINUSE':
      return refused(`port ${port} is in use on ${host}; listen on another (or 0, a free one).`);
    case 'EACCES':
      return refused(`port ${port} on ${host} needs privileges this process lacks (ports below 1024 usually do); listen on another (or 0, a free one).`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return refused(`cannot listen on ${host} (${error.code}): it is no address of this machine.`);
    default:
      return error;
  }
}
