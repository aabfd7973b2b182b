// tsup (loader `text`) and the vitest config both import `.html` files as their text.
declare module '*.html' {
  const text: string;
  export default text;
}
