{
  "targets": [
    {
      "target_name": "products",
      "sources": ["products.c"],
      "cflags": ["-O3", "-std=gnu17", "-Wall", "-Wextra"]
    }
  ]
}
