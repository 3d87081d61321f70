/**
 * systemd's notify protocol (sd_notify): datagrams like `READY=1` sent to the unix socket named
 * by NOTIFY_SOCKET. Sent through libc because Deno's unix datagram sockets are unstable and
 * would need read/write permission on the socket path.
 */

import { closeFd, cString, errno, libc } from "./libc.ts";
import { errnoText } from "./errno.ts";
import { SOCKADDR_UN } from "./structs.ts";

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const MSG_NOSIGNAL = 0x4000;
const SUN_PATH_MAX = SOCKADDR_UN.size - SOCKADDR_UN.fields.sun_path;

/** A `struct sockaddr_un` for a NOTIFY_SOCKET value (`/path` or `@abstract`), or null. */
export function notifySocketAddress(value: string): Uint8Array<ArrayBuffer> | null {
  if (!value.startsWith("/") && !value.startsWith("@")) return null; // e.g. vsock: addresses
  const name = cString(value).subarray(0, -1);
  if (name.length >= SUN_PATH_MAX) return null;
  // sa_family (u16), then sun_path; an abstract name starts with NUL instead of "@".
  const path = SOCKADDR_UN.fields.sun_path;
  const addr = new Uint8Array(path + name.length + (value.startsWith("@") ? 0 : 1));
  new DataView(addr.buffer).setUint16(SOCKADDR_UN.fields.sun_family, AF_UNIX, true);
  addr.set(name, path);
  if (value.startsWith("@")) addr[path] = 0;
  return addr;
}

/** Sends notify messages; every method is a no-op when NOTIFY_SOCKET was not set. */
export class SystemdNotifier {
  #addr: Uint8Array<ArrayBuffer> | null;

  /** `socket` is the NOTIFY_SOCKET value (undefined: notifications are off). */
  constructor(socket: string | undefined = Deno.env.get("NOTIFY_SOCKET")) {
    this.#addr = socket === undefined || socket === "" ? null : notifySocketAddress(socket);
  }

  /** Whether messages go anywhere. */
  get enabled(): boolean {
    return this.#addr !== null;
  }

  /** Sends one message (`READY=1`, `STATUS=...`); throws when the socket refuses it. */
  notify(message: string): void {
    if (this.#addr === null) return;
    const fd = libc().socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw new Error(`Cannot notify systemd: socket: ${errnoText(errno())}`);
    try {
      const body = new TextEncoder().encode(message);
      const n = Number(
        libc().sendto(fd, body, BigInt(body.length), MSG_NOSIGNAL, this.#addr, this.#addr.length),
      );
      if (n < 0) throw new Error(`Cannot notify systemd (${message}): ${errnoText(errno())}`);
    } finally {
      closeFd(fd);
    }
  }
}
