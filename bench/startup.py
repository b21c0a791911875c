"""Start-up time: usage: startup.py STARTS PORT PATH COMMAND...

Runs COMMAND STARTS times and measures, each time, from exec to the first 200 of GET PATH
on PORT, polled with raw sockets (no process per poll); PORT 0 measures exec to exit
(/bin/true: the floor of any start). Prints median, p90, min and max in ms.
"""
import signal, socket, statistics, subprocess, sys, time
starts, port, path, command = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4:]
request = f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
def ok():
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(request)
            return s.recv(16).startswith(b"HTTP/1.1 200")
    except OSError:
        return False
times = []
for _ in range(starts):
    t0 = time.perf_counter()
    p = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if port == 0:
        p.wait()
    else:
        while not ok():
            if time.perf_counter() - t0 > 10:
                sys.exit("no 200 within 10 s")
    times.append((time.perf_counter() - t0) * 1000)
    if port:
        p.send_signal(signal.SIGTERM)
        p.wait()
        while ok():
            time.sleep(0.001)
times.sort()
p90 = times[max(0, int(len(times) * 0.9 + 0.5) - 1)]
print(f"{statistics.median(times):.2f} {p90:.2f} {times[0]:.2f} {times[-1]:.2f}")
