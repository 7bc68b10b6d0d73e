import ray
import time
import asyncio

if __name__ == "__main__":
    ray.init(ignore_reinit_error=True)
    
    @ray.remote
    async def io_intensive(n):
        await asyncio.sleep(0.1)  # Simulate I/O
        return n * 2
    
    print("=== Ray I/O Benchmark ===")
    start = time.time()
    
    # Submit 100 I/O tasks
    futures = [io_intensive.remote(i) for i in range(100)]
    results = ray.get(futures)
    
    elapsed = time.time() - start
    print(f"100 I/O tasks completed in {elapsed:.2f}s")
    print(f"Throughput: {100/elapsed:.2f} tasks/sec")
    
    ray.shutdown()
