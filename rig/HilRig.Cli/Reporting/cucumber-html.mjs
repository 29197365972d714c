// Reads Cucumber messages (NDJSON, one envelope per line) from the file named by argv[2] and writes the
// standalone Cucumber HTML report to argv[3]. Used by `hilrig report html`.
import fs from 'node:fs';
import readline from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { CucumberHtmlStream } from '@cucumber/html-formatter';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node cucumber-html.mjs <messages.ndjson> <report.html>');
  process.exit(2);
}

async function* envelopes() {
  const lines = readline.createInterface({ input: fs.createReadStream(input, 'utf8'), crlfDelay: Infinity });
  let number = 0;
  for await (const line of lines) {
    number++;
    if (line.trim() === '') continue;
    try {
      yield JSON.parse(line);
    } catch (error) {
      throw new Error(`${input}:${number}: not a JSON message (${error.message})`);
    }
  }
}

try {
  await pipeline(Readable.from(envelopes()), new CucumberHtmlStream(), fs.createWriteStream(output));
} catch (error) {
  console.error(`cucumber-html: ${error.message}`);
  process.exit(1);
}
