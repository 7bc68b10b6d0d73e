// The load agent: a small Python program pipebench submits as a Ray job (Jobs REST API). It is a Ray
// driver inside the cluster: it connects back to pipebench over one TCP socket and, for each request
// line, submits one Ray task and answers when its result is there. Kept here as text (not a .py file)
// so the build ships it without an asset step; the job's entrypoint carries it base64-encoded, so
// nothing has to be installed on the cluster.
//
// Lines, JSON, one per message. pipebench → agent:
//   {"def": KEY, "kind": "noop"|"cpu"|"io"|"python", "cpus": N, "module": M, "source": S, "function": F}
//   {"i": ID, "f": KEY, "a": [ARGS]}                          run one task of KEY
// agent → pipebench:
//   {"hello": TOKEN, "ray": VERSION, "job": JOB_ID_HEX, "pid": PID}
//   {"d": KEY} | {"d": KEY, "e": CLASS, "m": MESSAGE}         a definition taken or refused
//   {"i": ID, "ms": RAY_MS} | {"i": ID, "e": CLASS, "m": MESSAGE, "ms": RAY_MS}
// RAY_MS is the agent's own clock from reading the request to the task's result: the time Ray took,
// as a Ray driver sees it. pipebench's latency minus it is the agent's overhead (socket, JSON).
export const AGENT_PY = String.raw`
import asyncio, json, os, sys, time, types

import ray


@ray.remote
def noop():
    return None


# Seed 000 Day 6 Task 3.1's CPU-bound task, as written there.
@ray.remote
def cpu_intensive(n):
    import numpy as np
    result = 0
    for i in range(n):
        result += np.sqrt(i) * np.sin(i) * np.cos(i)
    return float(result)


# Seed 000 Day 6 Task 3.2's I/O-bound task, its sleep configurable. The seed declares it
# "@ray.remote async def", which Ray 2.60 refuses ("'async def' should not be used for remote
# tasks"); this is the wrapping Ray's message asks for: the coroutine run in the task.
async def _io(seconds):
    await asyncio.sleep(seconds)
    return seconds


@ray.remote
def io_intensive(seconds):
    return asyncio.run(_io(seconds))


BUILTIN = {"noop": noop, "cpu": cpu_intensive, "io": io_intensive}


def load_module(name, source):
    module = types.ModuleType(name)
    module.__file__ = "<pipebench:" + name + ">"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    # Ship the module's functions to the workers by value: the cluster has no copy of the file.
    ray.cloudpickle.register_pickle_by_value(module)
    return module


def error_class(e):
    # RayTaskError subclasses are named after the cause: "RayTaskError(ZeroDivisionError)".
    return type(e).__name__


def first_line(e):
    text = str(e).strip()
    if isinstance(e, ray.exceptions.RayTaskError) and getattr(e, "cause", None) is not None:
        text = type(e.cause).__name__ + ": " + str(e.cause)
    return (text.splitlines() or [""])[-1][:500]


async def serve(host, port, token):
    reader, writer = await asyncio.open_connection(host, port, limit=16 * 1024 * 1024)
    functions = {}

    def send(obj):
        writer.write((json.dumps(obj, separators=(",", ":")) + "\n").encode())

    send({"hello": token, "ray": ray.__version__, "job": ray.get_runtime_context().get_job_id(), "pid": os.getpid()})

    async def run(i, f, args, started):
        try:
            await f.remote(*args)
            send({"i": i, "ms": (time.perf_counter() - started) * 1000})
        except Exception as e:
            send({"i": i, "e": error_class(e), "m": first_line(e), "ms": (time.perf_counter() - started) * 1000})

    pending = set()
    while True:
        line = await reader.readline()
        if not line:
            break
        started = time.perf_counter()
        msg = json.loads(line)
        if "i" in msg:
            f = functions.get(msg["f"])
            if f is None:
                send({"i": msg["i"], "e": "UnknownFunction", "m": "no definition " + str(msg["f"]), "ms": 0})
                continue
            t = asyncio.ensure_future(run(msg["i"], f, msg.get("a", []), started))
            pending.add(t)
            t.add_done_callback(pending.discard)
        elif "def" in msg:
            try:
                kind = msg["kind"]
                if kind == "python":
                    module = sys.modules.get(msg["module"]) or load_module(msg["module"], msg["source"])
                    target = getattr(module, msg["function"])
                    remote = target if isinstance(target, ray.remote_function.RemoteFunction) else ray.remote(target)
                else:
                    remote = BUILTIN[kind]
                functions[msg["def"]] = remote.options(num_cpus=msg.get("cpus", 1))
                send({"d": msg["def"]})
            except Exception as e:
                send({"d": msg["def"], "e": type(e).__name__, "m": str(e)[:500]})
        await writer.drain()
    for t in list(pending):
        t.cancel()


def main():
    host, port, token = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    ray.init(log_to_driver=False)
    asyncio.run(serve(host, port, token))
    # pipebench closed the connection: exit now, without Ray's shutdown, which can hang when the
    # head is already gone.
    sys.stdout.flush()
    os._exit(0)


main()
`;
