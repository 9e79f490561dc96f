// Reads XML request bodies (the SDKs send every body as `application/xml`) into the same plain shape as a JSON body,
// so the routes' zod schemas stay the one check of both: the root element is dropped (`<job>` is the body),
// elements and attributes become members with their text (`<auto_cleared>true</auto_cleared>` -> `"true"`,
// `<parent_step id="x"/>` -> `{"id": "x"}`), repeated elements arrays. Malformed XML is a 400 naming the problem;
// a DOCTYPE is refused (no entity expansion), and so is nesting deeper than JSON bodies may nest.
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import type { Request, Response } from 'express';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ApiFault, safeEcho } from '../faults';
import type { BodyCallback } from '../json-body';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../json-body';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
});

const malformed = (detail: string): ApiFault => new ApiFault(400, 'Bad Request', `Malformed XML body: ${detail}`);

/** How deep elements nest, counted on the text (comments and CDATA left out), before anything recursive reads it. */
function elementDepth(xml: string): number {
  const tags = xml.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>/g, '');
  let depth = 0;
  let deepest = 0;
  for (const [, closing, , selfClosing] of tags.matchAll(/<(\/?)([^\s/>!?]+)[^>]*?(\/?)>/g)) {
    if (closing) depth--;
    else if (!selfClosing) deepest = Math.max(deepest, ++depth);
  }
  return deepest;
}

/** The body of an XML document as a plain value: `{}` for an empty body or root, else the root element's content. */
export function parseXmlBody(text: string): unknown {
  if (text.trim() === '') return {};
  if (/<!DOCTYPE/i.test(text)) throw malformed('a DOCTYPE is not accepted');
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw malformed(`${safeEcho(msg, 200)} (line ${line}, column ${col})`);
  }
  if (elementDepth(text) > MAX_JSON_DEPTH + 1) {
    throw new ApiFault(400, 'Bad Request', `The XML body nests too deeply (at most ${MAX_JSON_DEPTH} levels)`);
  }
  let document: Record<string, unknown>;
  try {
    document = parser.parse(text) as Record<string, unknown>;
  } catch (err) {
    // The parser refuses names such as `__proto__` (no prototype pollution) after the validator let them through.
    throw malformed(safeEcho((err as Error).message, 200));
  }
  const roots = Object.keys(document);
  const body = roots.length === 1 ? document[roots[0]!] : undefined;
  if (body === undefined || Array.isArray(body)) {
    throw malformed('the body must be one element, such as <action> or <job>');
  }
  if (body === '') return {};
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
    throw new ApiFault(400, 'Bad Request', `The XML body nests too deeply (at most ${MAX_JSON_DEPTH} levels)`);
  }
  return body;
}

/**
 * Reads a request's XML body as text with body-parser (its limits, charsets and encodings, and its errors, which
 * `faultOf` answers), then parses it: `done(err)` or `done(undefined, body)`.
 */
export function xmlBodyReader(limit: number): (req: IncomingMessage, res: ServerResponse, done: BodyCallback) => void {
  const readText = express.text({ type: () => true, limit });
  return (req, res, done) => {
    readText(req as Request, res as Response, (err?: unknown) => {
      if (err) return done(err);
      const text = (req as Request).body as unknown;
      let body: unknown;
      try {
        body = parseXmlBody(typeof text === 'string' ? text : '');
      } catch (caught) {
        return done(caught);
      }
      done(undefined, body);
    });
  };
}
