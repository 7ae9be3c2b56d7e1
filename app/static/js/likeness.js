// Which factoren look like the consequentie someone is writing: a word-overlap score, worked out
// on the phone. Chosen over the server's suggestion model (app/suggest) because it costs nothing
// there: no round trip per key press, no model on a cheap phone, and it is easy to say why a factor
// came first ("it shares these words with your text").
//
// The score of two texts is the number of their content words that match, divided by the square
// root of the product of their numbers of content words (a cosine over sets of words): a long
// factor does not win by being long. Content words are the words of three letters or more that are
// not in a short list of Dutch and English function words, lower-cased and without accents. Two
// words match when they are equal or one begins with the other (Dutch compounds: "bus" matches
// "bushalte", "jongeren" "jongerenwerk", "buurthuis" "buurthuizen" through their shared start of six
// letters or more). Ties, and everything that shares no word, go newest first.

const STOP = new Set(`aan als dat de den der des die dit door een eens en er geen had heb hebben heeft het hier hij hoe
  ik in is je jij kan kun kunnen maar me meer men met mij mijn na naar niet niets nog nu of om omdat ook op over te
  tot toe uit van veel voor want was wat we wel werd wie wij worden wordt zal ze zich zij zijn zo zoals zonder
  the and for are was were with that this from not but you your they them have has had into out about`.split(/\s+/));

/** The content words of `text` (see the top of this module). */
export function contentWords(text) {
  const plain = (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  return [...new Set(plain.split(/[^a-z0-9]+/).filter((w) => w.length >= 3 && !STOP.has(w)))];
}

function commonStart(a, b) {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n += 1;
  return n;
}

/** Whether two content words are the same word or one part of a compound of the other. */
export function wordsMatch(a, b) {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return long.startsWith(short) || commonStart(a, b) >= 6;
}

/** How alike two lists of content words are: 0 (nothing shared) to 1. */
export function likeness(words, other) {
  if (!words.length || !other.length) return 0;
  const shared = words.filter((w) => other.some((o) => wordsMatch(w, o))).length;
  return shared / Math.sqrt(words.length * other.length);
}

/**
 * `cards` in the order to offer them beside `text`: those sharing a word with it first (most
 * alike first), then the rest; newest first within each. Returns {cards, alike: Set of ids}.
 */
export function rankByLikeness(cards, text) {
  const words = contentWords(text);
  const scored = cards.map((card) => ({ card, score: likeness(words, contentWords(card.text)) }));
  scored.sort((a, b) => b.score - a.score || b.card.id - a.card.id);
  return { cards: scored.map((s) => s.card), alike: new Set(scored.filter((s) => s.score > 0).map((s) => s.card.id)) };
}
