// Chromium switches the Electron main process sets before the app is ready.
//
// WebGPU: Chromium ships it enabled on Windows and macOS; on Linux it is behind
// `enable-unsafe-webgpu` (it skips Chromium's GPU blocklist for WebGPU). The
// studio's "WebGPU, this window" compare backend needs it there; set
// PT2_NO_UNSAFE_WEBGPU=1 to keep it off (Compare then offers the host's Dawn
// path and says why the window has no adapter).
'use strict';

/** @param {string} platform @param {Record<string, string | undefined>} env @returns {string[]} */
function chromiumSwitches(platform, env) {
  const out = [];
  if (platform === 'linux' && !env.PT2_NO_UNSAFE_WEBGPU) out.push('enable-unsafe-webgpu');
  return out;
}

module.exports = { chromiumSwitches };
