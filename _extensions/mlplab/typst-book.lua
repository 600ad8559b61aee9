-- Typst output of the book, two repairs (other formats are left alone):
--
-- 1. Typst reads some characters at the start of a paragraph or a table cell as markup: "+ " and
--    "- " start list items, "= " a heading, "/ " a term, "1. " a numbered item. Pandoc's Typst
--    writer escapes "#" but not these, so a table cell "+ physics features" printed as
--    "1. physics features". A leading marker is escaped with a backslash (Typst's escape); the text
--    a reader sees is unchanged.
-- 2. Pandoc's Typst writer hands "’" back to Typst as "'" for its smart quotes, which set a prime
--    after a digit ("VGG-16′s") and an opening quote after a period or parenthesis ("Maas et al.‘s"). An
--    apostrophe after a digit, a period or a closing parenthesis is written raw, so it stays "’".
-- 3. The orange-book format draws a part page (`#part[...]`) but gives it no PDF bookmark, so the
--    PDF's outline listed chapters without their labs. After each part this adds an invisible
--    level-1 heading (not in the table of contents, bookmarked); a show rule placed after the
--    book template's own (at the start of the body) draws nothing for it, so the template does not
--    style it as a chapter either.

local MARKERS = { ["+"] = true, ["-"] = true, ["="] = true, ["/"] = true }

local function typst()
  return quarto.doc.is_format("typst")
end

local function escape_lead(inlines)
  local first, second = inlines[1], inlines[2]
  if first == nil or first.t ~= "Str" then
    return nil
  end
  local text = first.text
  local followed_by_space = second ~= nil and (second.t == "Space" or second.t == "SoftBreak")
  if MARKERS[text] and followed_by_space then
    inlines[1] = pandoc.RawInline("typst", "\\" .. text)
    return inlines
  end
  local number = text:match("^(%d+)%.$")
  if number and followed_by_space then
    inlines[1] = pandoc.RawInline("typst", number .. "\\.")
    return inlines
  end
  return nil
end

local function block(el)
  if not typst() then
    return nil
  end
  local changed = escape_lead(el.content)
  if changed then
    el.content = changed
    return el
  end
  return nil
end

local APOSTROPHE = "\u{2019}"

local function apostrophes(el)
  if not typst() or not el.text:find("[%d%.%)]" .. APOSTROPHE) then
    return nil
  end
  local out, rest = {}, el.text
  while true do
    local i, j = rest:find("[%d%.%)]" .. APOSTROPHE)
    if i == nil then
      break
    end
    table.insert(out, pandoc.Str(rest:sub(1, i)))
    table.insert(out, pandoc.RawInline("typst", APOSTROPHE))
    rest = rest:sub(j + 1)
  end
  if rest ~= "" then
    table.insert(out, pandoc.Str(rest))
  end
  return out
end

local function raw(el)
  if not typst() or el.format ~= "typst" then
    return nil
  end
  local title = el.text:match("^#part%[(.*)%]%s*$")
  if title == nil then
    return nil
  end
  return { el, pandoc.RawBlock("typst",
    "#heading(level: 1, outlined: false, bookmarked: true, numbering: none)[" .. title .. "]") }
end

local function document(doc)
  if not typst() then
    return nil
  end
  table.insert(doc.blocks, 1, pandoc.RawBlock("typst",
    "#show heading.where(level: 1, outlined: false): it => none  // mlplab: part bookmarks draw nothing"))
  return doc
end

return {
  { Str = apostrophes },
  { Plain = block, Para = block, RawBlock = raw },
  { Pandoc = document },
}
