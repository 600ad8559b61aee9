-- {{< mlplab-generated NAME.md >}}: the markdown that `mlplab run` writes to report/_generated/NAME.md,
-- inserted where the shortcode stands, read when the page is rendered.
--
-- Why not {{< include >}}: Quarto expands includes while it builds the book's chapter list, before
-- the project's pre-render step has run, so an include of a file that only a run creates fails on a
-- fresh clone ("Include directive failed"). Custom shortcodes run inside the render of each page,
-- after pre-render (which runs `mlplab run` and writes these files). A missing file gives a visible
-- note naming it and what to do, never an error and never a silent gap.
--
-- The text goes through quarto.utils.string_to_blocks (Quarto's whole AST pipeline), so callouts,
-- `{#tbl-...}` tables and `{#sec-...}` headings in the generated markdown become real callouts,
-- numbered tables and cross-reference targets, exactly as if they had been written in the page.

local GENERATED = { "report", "_generated" }

local function project_directory()
  if quarto ~= nil and quarto.project ~= nil and quarto.project.directory ~= nil then
    return quarto.project.directory
  end
  return pandoc.system.get_working_directory()
end

local function read_file(path)
  local handle = io.open(path, "r")
  if handle == nil then
    return nil
  end
  local text = handle:read("a")
  handle:close()
  return text
end

local function to_blocks(text)
  if quarto ~= nil and quarto.utils ~= nil and quarto.utils.string_to_blocks ~= nil then
    return quarto.utils.string_to_blocks(text)
  end
  return pandoc.read(text, "markdown").blocks
end

local function note(title, body)
  return to_blocks("::: {.callout-warning}\n## " .. title .. "\n\n" .. body .. "\n:::\n")
end

local function generated(args)
  local name = pandoc.utils.stringify(args[1] or "")
  local shown = table.concat(GENERATED, "/") .. "/" .. name
  if not name:match("^[%w][%w_%-%.]*%.md$") or name:find("..", 1, true) then
    return note("Unknown generated page",
      "The shortcode asked for `" .. name .. "`; expected a file name such as `banner.md` in `"
      .. table.concat(GENERATED, "/") .. "/`.")
  end
  local parts = { project_directory() }
  for _, p in ipairs(GENERATED) do
    table.insert(parts, p)
  end
  table.insert(parts, name)
  local text = read_file(pandoc.path.join(parts))
  if text == nil then
    return note("Not generated yet",
      "`" .. shown .. "` does not exist yet: it is written by `mlplab run`. Run `make report`, or "
      .. "`quarto render` with the project's environment on PATH (its pre-render step runs the analysis).")
  end
  return to_blocks(text)
end

return {
  ["mlplab-generated"] = generated,
}
