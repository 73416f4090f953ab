-- Every request credits an author on a book it is not on yet: pairs are handed out once.
dofile(os.getenv("WRK_DIR") .. "/common.lua")
local pairs_, step, next_ = nil, 1, 1
function init(args) pairs_ = lines_of(args[1]); step = tonumber(args[2]); next_ = tid end
function request()
  local pair = pairs_[next_]
  next_ = next_ + step
  local book, author = pair:match("(%d+) (%d+)")
  return wrk.format("PUT", "/books/" .. book .. "/authors/" .. author)
end
