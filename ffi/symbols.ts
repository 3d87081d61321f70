/** The libbpf symbol table bound through Deno.dlopen; each parameter notes its C type. */
export const LIBBPF_SYMBOLS = {
  libbpf_major_version: { parameters: [], result: "u32" },
  libbpf_minor_version: { parameters: [], result: "u32" },
  libbpf_version_string: { parameters: [], result: "pointer" }, // const char*
  libbpf_set_print: { parameters: ["function"], result: "pointer" }, // (libbpf_print_fn_t) -> old fn
  libbpf_strerror: { parameters: ["i32", "buffer", "usize"], result: "i32" }, // (int err, char*, size_t)
  libbpf_get_error: { parameters: ["pointer"], result: "i64" }, // (const void*)
  libbpf_num_possible_cpus: { parameters: [], result: "i32" },
  // (const char* sec, enum bpf_prog_type, enum bpf_attach_type, const libbpf_prog_handler_opts*)
  libbpf_register_prog_handler: { parameters: ["buffer", "i32", "i32", "buffer"], result: "i32" },
  // (enum bpf_prog_type, const void* opts): 1 supported, 0 not, negative errno when unprobeable
  libbpf_probe_bpf_prog_type: { parameters: ["i32", "pointer"], result: "i32" },

  bpf_object__open_file: { parameters: ["buffer", "buffer"], result: "pointer" }, // (const char*, opts*)
  bpf_object__open_mem: { parameters: ["buffer", "usize", "buffer"], result: "pointer" }, // (void*, size_t, opts*)
  bpf_object__load: { parameters: ["pointer"], result: "i32" }, // (bpf_object*)
  bpf_object__close: { parameters: ["pointer"], result: "void" },
  bpf_object__name: { parameters: ["pointer"], result: "pointer" },
  bpf_object__next_program: { parameters: ["pointer", "pointer"], result: "pointer" }, // (obj, prev prog)
  bpf_object__next_map: { parameters: ["pointer", "pointer"], result: "pointer" }, // (obj, prev map)
  bpf_object__find_map_by_name: { parameters: ["pointer", "buffer"], result: "pointer" },

  bpf_object__btf: { parameters: ["pointer"], result: "pointer" }, // -> struct btf*
  btf__find_by_name_kind: { parameters: ["pointer", "buffer", "u32"], result: "i32" }, // (btf, name, kind)
  btf__type_by_id: { parameters: ["pointer", "u32"], result: "pointer" }, // -> const struct btf_type*
  btf__name_by_offset: { parameters: ["pointer", "u32"], result: "pointer" }, // -> const char*

  bpf_program__name: { parameters: ["pointer"], result: "pointer" },
  bpf_program__section_name: { parameters: ["pointer"], result: "pointer" },
  bpf_program__fd: { parameters: ["pointer"], result: "i32" },
  bpf_program__autoload: { parameters: ["pointer"], result: "bool" },
  bpf_program__attach: { parameters: ["pointer"], result: "pointer" }, // -> bpf_link*
  // (prog, pid_t pid, const char* binary_path, size_t func_offset, const bpf_uprobe_opts*)
  bpf_program__attach_uprobe_opts: {
    parameters: ["pointer", "i32", "buffer", "usize", "buffer"],
    result: "pointer",
  },
  bpf_program__attach_perf_event: { parameters: ["pointer", "i32"], result: "pointer" }, // (prog, pfd)
  bpf_program__attach_xdp: { parameters: ["pointer", "i32"], result: "pointer" }, // (prog, ifindex)
  bpf_link__destroy: { parameters: ["pointer"], result: "i32" },

  bpf_map__name: { parameters: ["pointer"], result: "pointer" },
  bpf_map__type: { parameters: ["pointer"], result: "i32" }, // enum bpf_map_type
  bpf_map__key_size: { parameters: ["pointer"], result: "u32" },
  bpf_map__value_size: { parameters: ["pointer"], result: "u32" },
  bpf_map__max_entries: { parameters: ["pointer"], result: "u32" },
  bpf_map__fd: { parameters: ["pointer"], result: "i32" },
  bpf_map__initial_value: { parameters: ["pointer", "buffer"], result: "pointer" }, // (map, size_t* psize)
  bpf_map__set_initial_value: { parameters: ["pointer", "buffer", "usize"], result: "i32" },
  bpf_map__pin_path: { parameters: ["pointer"], result: "pointer" }, // -> const char* (or NULL)
  bpf_map__unpin: { parameters: ["pointer", "buffer"], result: "i32" }, // (map, const char* path)

  // (int fd, void* in_batch, void* out_batch, void* keys, void* values, __u32* count, opts*)
  bpf_map_lookup_batch: {
    parameters: ["i32", "buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  // (int fd, const void* keys, const void* values, __u32* count, opts*)
  bpf_map_update_batch: {
    parameters: ["i32", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  bpf_map_get_next_key: { parameters: ["i32", "buffer", "buffer"], result: "i32" }, // (fd, key, next)
  bpf_map_lookup_elem: { parameters: ["i32", "buffer", "buffer"], result: "i32" }, // (fd, key, value)
  bpf_map_update_elem: { parameters: ["i32", "buffer", "buffer", "u64"], result: "i32" }, // (fd, key, value, flags)
  bpf_map_delete_elem: { parameters: ["i32", "buffer"], result: "i32" }, // (fd, key)
  // (int map_fd, size_t page_cnt, sample_fn, lost_fn, void* ctx, const perf_buffer_opts*)
  perf_buffer__new: {
    parameters: ["i32", "usize", "function", "function", "pointer", "buffer"],
    result: "pointer",
  },
  perf_buffer__poll: { parameters: ["pointer", "i32"], result: "i32" }, // (pb, timeout_ms)
  perf_buffer__free: { parameters: ["pointer"], result: "void" },
  // (int map_fd, ring_buffer_sample_fn, void* ctx, const ring_buffer_opts*) -> ring_buffer*
  ring_buffer__new: { parameters: ["i32", "function", "pointer", "pointer"], result: "pointer" },
  ring_buffer__consume: { parameters: ["pointer"], result: "i32" }, // (rb) -> records or -errno
  ring_buffer__epoll_fd: { parameters: ["pointer"], result: "i32" }, // (const rb*)
  ring_buffer__free: { parameters: ["pointer"], result: "void" },
  bpf_obj_get_info_by_fd: { parameters: ["i32", "buffer", "buffer"], result: "i32" }, // (fd, info, __u32* len)
  bpf_enable_stats: { parameters: ["i32"], result: "i32" }, // (enum bpf_stats_type)
} as const satisfies Deno.ForeignLibraryInterface;
