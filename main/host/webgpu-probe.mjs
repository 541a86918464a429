// Child process of the engine host (runtimes.ts): asks the Node `webgpu` package
// (Dawn) for an adapter and prints its info as one JSON line, then exits. It runs
// apart from the host so that Dawn's probing (and any abort) never touches it.
try {
  const mod = await import('webgpu');
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create([]);
  const a = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  const i = a?.info;
  const adapter = i ? { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, isFallbackAdapter: Boolean(i.isFallbackAdapter) } : null;
  process.stdout.write(`${JSON.stringify({ adapter })}\n`);
} catch (e) {
  process.stdout.write(`${JSON.stringify({ adapter: null, error: String(e?.message ?? e) })}\n`);
}
process.exit(0);
