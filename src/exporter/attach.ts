/**
 * Attaches one program: libbpf's auto-attach for the sections it knows, and the exporter's own
 * `perf_event/type=..,config=..,frequency=..` (one event per online CPU) and `xdp/<ifname>`.
 */

import { type BpfLink, type BpfProgram } from "../../ffi/libbpf.ts";
import { closePerfEvent, onlineCpus, openPerfEvent, type PerfEventSpec } from "../../ffi/perf.ts";
import {
  interfaceIndex,
  POST_ATTACH_FUNCTION,
  POST_ATTACH_LIBRARY,
  processId,
} from "../../ffi/libc.ts";

/**
 * Upstream's init hook: programs in this section run once, right after every config is attached.
 * A Deno binary has no `post_attach_mark` symbol, so the uprobe goes on a libc function for this
 * process only, which the exporter calls once (see firePostAttachMark).
 */
const POST_ATTACH_SECTION = /^uprobe\/\/proc\/self\/exe:post_attach_mark$/;

/** Parses the part after `perf_event/`; throws SyntaxError naming the bad item. */
export function parsePerfEventSection(spec: string): PerfEventSpec {
  const out: PerfEventSpec = { type: 0, config: 0n, frequency: 0, period: 0n };
  for (const item of spec.split(",")) {
    const eq = item.indexOf("=");
    if (eq < 0) throw new SyntaxError(`Invalid perf_event item "${item}": expected key=value`);
    const key = item.slice(0, eq);
    const raw = item.slice(eq + 1);
    if (!/^\d+$/.test(raw)) {
      throw new SyntaxError(`Invalid perf_event item "${item}": value must be a decimal integer`);
    }
    switch (key) {
      case "type":
        out.type = Number(raw);
        break;
      case "config":
        out.config = BigInt(raw);
        break;
      case "frequency":
        out.frequency = Number(raw);
        break;
      case "period":
        out.period = BigInt(raw);
        break;
      default:
        throw new SyntaxError(`Unknown perf_event item "${item}"`);
    }
  }
  return out;
}

function attachPerfEvents(program: BpfProgram, spec: PerfEventSpec): BpfLink[] {
  const links: BpfLink[] = [];
  try {
    for (const cpu of onlineCpus()) {
      const fd = openPerfEvent(spec, cpu);
      try {
        links.push(program.attachPerfEvent(fd));
      } catch (e) {
        closePerfEvent(fd);
        throw e;
      }
    }
  } catch (e) {
    // All or nothing: a program attached on some CPUs only would count a fraction of events.
    for (const l of links) l.destroy();
    throw e;
  }
  return links;
}

/** Attaches a program by its section; throws with a readable reason on failure. */
export function attachProgram(program: BpfProgram): BpfLink[] {
  const sec = program.section;
  if (sec.startsWith("perf_event/")) {
    return attachPerfEvents(program, parsePerfEventSection(sec.slice("perf_event/".length)));
  }
  if (POST_ATTACH_SECTION.test(sec)) {
    return [program.attachUprobe(POST_ATTACH_LIBRARY, POST_ATTACH_FUNCTION, processId())];
  }
  if (sec.startsWith("xdp/")) {
    return [program.attachXdp(interfaceIndex(sec.slice("xdp/".length)))];
  }
  return [program.attach()];
}
