dofile(os.getenv("WRK_DIR") .. "/common.lua")
local words
function init(args) words = lines_of(args[1]); math.randomseed(tid * 1299709) end
function request()
  return wrk.format("GET", "/books?limit=20&title=" .. words[math.random(#words)])
end
