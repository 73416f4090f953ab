-- A new, valid, unique ISBN-13 for every request: 979 + offset + thread + counter.
dofile(os.getenv("WRK_DIR") .. "/common.lua")
local offset, counter = 0, 0
function init(args) offset = tonumber(args[1]) end
local function isbn13(n)
  local first12 = string.format("979%09d", n)
  local total = 0
  for i = 1, 12 do
    local digit = tonumber(first12:sub(i, i))
    total = total + digit * ((i % 2 == 0) and 3 or 1)
  end
  return first12 .. tostring((10 - total % 10) % 10)
end
function request()
  counter = counter + 1
  local body = string.format(
    '{"title":"Bench book %d-%d","isbn":"%s","pages":320,"price":{"amount":18000},' ..
    '"publication_year":2021}', tid, counter, isbn13(offset + tid * 10000000 + counter))
  return wrk.format("POST", "/books", {["Content-Type"] = "application/json"}, body)
end
