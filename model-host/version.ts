/** The host's version, injected by the build from package.json (falls back for tsx runs). */
declare const __VISUAL_CODER_VERSION__: string | undefined;
export const HOST_VERSION: string = typeof __VISUAL_CODER_VERSION__ === 'string' ? __VISUAL_CODER_VERSION__ : '0.0.0-dev';
