// The layout worker: runs ELK (elkjs, the Eclipse Layout Kernel) off the UI thread.
// Requests carry an id and an ELK JSON graph; the answer is the laid-out graph, or an
// error message. Coordinates come back relative to the root (elk.json.*Coords: ROOT).

import ELK from 'elkjs/lib/elk.bundled.js';

const elk = new ELK();

self.onmessage = async (e: MessageEvent<{ id: number; graph: unknown }>) => {
  const { id, graph } = e.data;
  try {
    const result = await elk.layout(graph as Parameters<typeof elk.layout>[0]);
    (self as unknown as Worker).postMessage({ id, result });
  } catch (err) {
    (self as unknown as Worker).postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
};
