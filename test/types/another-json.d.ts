// another-json (matrix-js-sdk's canonicaliser) ships no types; used only as a differential oracle.
declare module 'another-json' {
  const anotherJson: { stringify(value: unknown): string };
  export default anotherJson;
}
