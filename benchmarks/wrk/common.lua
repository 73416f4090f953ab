-- Shared by the scripts: each wrk thread gets its own number (tid) and random seed.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function lines_of(path)
  local found = {}
  for line in io.lines(path) do found[#found + 1] = line end
  return found
end
