import { encodeCbor } from '../wire/cbor.ts';
import type { GraphPart } from './graph-messages.ts';

/** What one graph sent and received, by part, since it was opened. */
export interface GraphTraffic {
  /** Frames sent, by part (`tree`, `sync`, `records`, ...). */
  readonly framesOut: Readonly<Record<string, number>>;
  readonly framesIn: Readonly<Record<string, number>>;
  /** Body bytes sent and received, by part: what the graph protocol itself costs. */
  readonly bytesOut: Readonly<Record<string, number>>;
  readonly bytesIn: Readonly<Record<string, number>>;
}

function add(counts: Map<string, number>, name: string, amount: number): void {
  counts.set(name, (counts.get(name) ?? 0) + amount);
}

/**
 * Counts a graph's frames and body bytes per part, for benches, tests and the Network page.
 * A body is measured by encoding it, which costs about what sending it does; records are
 * measured by their encodings, which the frame carries as they are.
 */
export class TrafficCounter {
  private readonly framesOut = new Map<string, number>();
  private readonly framesIn = new Map<string, number>();
  private readonly bytesOut = new Map<string, number>();
  private readonly bytesIn = new Map<string, number>();

  sent(part: GraphPart): void {
    add(this.framesOut, part.t, 1);
    add(this.bytesOut, part.t, sizeOf(part));
  }

  received(part: GraphPart): void {
    add(this.framesIn, part.t, 1);
    add(this.bytesIn, part.t, sizeOf(part));
  }

  snapshot(): GraphTraffic {
    return {
      framesOut: Object.fromEntries(this.framesOut),
      framesIn: Object.fromEntries(this.framesIn),
      bytesOut: Object.fromEntries(this.bytesOut),
      bytesIn: Object.fromEntries(this.bytesIn),
    };
  }
}

function sizeOf(part: GraphPart): number {
  if (part.t === 'records') return part.records.reduce((sum, record) => sum + record.length, 0);
  return encodeCbor(part).length;
}
