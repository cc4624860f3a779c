// Lets the type checker accept the stylesheet import that esbuild bundles into assets/app.css.
declare module '*.css';
