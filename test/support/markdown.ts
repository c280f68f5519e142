// Reading Markdown pages as GitHub renders them, for the docs' tests: the prose outside code
// blocks, and the headings with the anchors GitHub gives them.

/** The text outside fenced code blocks (links and headings in code are not links or headings). */
export function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
}

/** A heading of a page: its text and GitHub's anchor for it. */
export interface Heading {
  text: string
  anchor: string
}

/**
 * A page's headings with GitHub's anchors: lower case, punctuation dropped, spaces as hyphens, and
 * `-1`, `-2`, … after a repeated one.
 */
export function headingsOf(markdown: string): Heading[] {
  const headings: Heading[] = []
  const seen = new Map<string, number>()
  for (const [, heading] of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = heading as string
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-')
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    headings.push({ text, anchor: n === 0 ? base : `${base}-${n}` })
  }
  return headings
}

/** The ids of a page's `<a id="…"></a>` anchors (outside code blocks), in order. */
export function htmlAnchorsOf(markdown: string): string[] {
  return [...prose(markdown).matchAll(/<a id="([^"]+)"><\/a>/g)].map((match) => match[1] as string)
}

/** GitHub's anchors for a page's headings, and the page's `<a id>` anchors. */
export function anchorsOf(markdown: string): Set<string> {
  return new Set([
    ...headingsOf(markdown).map((heading) => heading.anchor),
    ...htmlAnchorsOf(markdown),
  ])
}
