{
  "targets": [
    {
      "target_name": "products",
      "sources": ["addon.c", "products.c", "adam.c", "gather.c", "softmax.c", "activations.c", "columns.c"],
      "cflags": ["-O3", "-std=gnu17", "-Wall", "-Wextra", "-ffp-contract=off"]
    }
  ]
}
