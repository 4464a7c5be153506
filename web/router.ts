/**
 * The web view: one static page at / whose script polls the REST API, its
 * assets under /web/, and cytoscape from its npm package. The page is served
 * with a Content-Security-Policy that allows only this origin's scripts,
 * styles and API, so no text from the graph can ever run as code.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import express, { type RequestHandler, type Router } from "express";
import { packageRoot } from "../lib/package-root.js";

const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** The page's files; found from the package root, so the sources and dist/ serve the same ones. */
const staticDir = () => join(packageRoot(), "web", "static");

const cytoscapeFile = () =>
  createRequire(import.meta.url).resolve("cytoscape/dist/cytoscape.min.js");

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  next();
};

export function webRouter(): Router {
  const router = express.Router();
  const dir = staticDir();
  router.use(securityHeaders);
  router.get("/", (_req, res) => res.sendFile(join(dir, "index.html")));
  router.get("/web/vendor/cytoscape.min.js", (_req, res) => res.sendFile(cytoscapeFile()));
  router.use("/web", express.static(dir, { index: false, fallthrough: true }));
  return router;
}
