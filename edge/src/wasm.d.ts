// `import mod from "./x.wasm"`: wrangler and the vitest plugin give a compiled WebAssembly.Module.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
