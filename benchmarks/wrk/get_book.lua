dofile(os.getenv("WRK_DIR") .. "/common.lua")
local ids
function init(args) ids = lines_of(args[1]); math.randomseed(tid * 7919) end
function request() return wrk.format("GET", "/books/" .. ids[math.random(#ids)]) end
