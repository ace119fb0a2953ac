-- Comment submissions for wrk: a unique body per request (duplicates would be refused), the
-- page's CSRF token and session cookie, and a count of acknowledged (302) submissions.
-- Set by the runner: PATH, TOKEN, COOKIE, AUTHOR, EMAIL (prepended as globals).
local threads = {}
local next_id = 1

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  acks = 0
  filler = string.rep("The+speech+was+read+to+a+closed+session+of+the+Congress.+", 5)
end

function encode(text)
  return (text:gsub("[^%w]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function request()
  counter = counter + 1
  local body = "csrf_token=" .. TOKEN .. "&author_name=" .. encode(AUTHOR)
    .. "&author_email=" .. encode(EMAIL)
    .. "&body=Bench+comment+" .. tid .. "-" .. counter .. "+" .. filler
  return wrk.format("POST", PATH, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = COOKIE,
  }, body)
end

function response(status, headers, body)
  if status == 302 then
    acks = acks + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("acks")
  end
  io.write("ACKNOWLEDGED " .. total .. "\n")
end
