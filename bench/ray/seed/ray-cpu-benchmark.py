import ray
import time
import numpy as np

if __name__ == "__main__":
    ray.init(ignore_reinit_error=True)
    
    @ray.remote
    def cpu_intensive(n):
        result = 0
        for i in range(n):
            result += np.sqrt(i) * np.sin(i) * np.cos(i)
        return result
    
    print("=== Ray CPU Benchmark ===")
    start = time.time()
    
    # Submit 100 tasks
    futures = [cpu_intensive.remote(50000) for _ in range(100)]
    results = ray.get(futures)
    
    elapsed = time.time() - start
    print(f"100 CPU tasks completed in {elapsed:.2f}s")
    print(f"Throughput: {100/elapsed:.2f} tasks/sec")
    print(f"Per-task avg: {elapsed/100*1000:.2f}ms")
    
    ray.shutdown()
