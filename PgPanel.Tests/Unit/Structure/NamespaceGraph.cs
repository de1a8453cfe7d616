using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;

namespace PgPanel.Tests.Unit.Structure;

/// <summary>
/// Which namespaces of a compiled assembly use which, read from its metadata: base types, interfaces, generic constraints,
/// fields, method and property signatures, attributes (their constructors), and every method body — locals, catch types
/// and each type, method and field token of the IL. A nested or compiler-made type (a lambda's closure, an async state
/// machine) counts as the namespace of the type it sits in. A constant leaves no trace in IL (its value is copied into
/// the caller), so <see cref="WithSources"/> adds what the source files name: using directives and qualified names.
/// </summary>
internal sealed class NamespaceGraph
{
    private static readonly Dictionary<short, OperandType> OperandTypes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    private readonly Dictionary<string, Dictionary<string, SortedSet<string>>> _edges = [];
    private readonly Dictionary<string, HashSet<string>> _types = [];
    private readonly string _root;

    private NamespaceGraph(string root, IEnumerable<string> namespaces)
    {
        _root = root;
        foreach (var name in namespaces)
        {
            _edges[name] = [];
            _types[name] = [];
        }
    }

    /// <summary>Every namespace under the root that holds a type.</summary>
    public IReadOnlyCollection<string> Namespaces => _edges.Keys;

    /// <summary>The namespaces <paramref name="from"/> uses, each with the uses that make the edge ("Type → Type").</summary>
    public IReadOnlyDictionary<string, SortedSet<string>> Uses(string from) => _edges[from];

    /// <summary>The graph between <paramref name="root"/> and its sub-namespaces in the assembly at <paramref name="path"/>.</summary>
    public static NamespaceGraph Read(string path, string root)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        bool Under(string ns) => ns == root || ns.StartsWith(root + ".", StringComparison.Ordinal);

        var graph = new NamespaceGraph(root, reader.TypeDefinitions.Select(t => NamespaceOf(reader, t)).Where(Under).Distinct());
        foreach (var handle in reader.TypeDefinitions.Where(t => reader.GetTypeDefinition(t).GetDeclaringType().IsNil && Under(NamespaceOf(reader, t))))
        {
            graph._types[NamespaceOf(reader, handle)].Add(Name(reader, handle).Split('`')[0]);
        }

        var collector = new Collector(reader, pe);
        foreach (var handle in reader.TypeDefinitions)
        {
            var from = NamespaceOf(reader, handle);
            if (!Under(from))
            {
                continue;
            }

            foreach (var (used, usedType) in collector.UsedBy(handle))
            {
                var to = NamespaceOf(reader, used);
                if (Under(to))
                {
                    graph.Add(from, to, $"{Name(reader, handle)} → {Name(reader, usedType)}");
                }
            }
        }

        return graph;
    }

    /// <summary>
    /// Adds the uses the C# files under <paramref name="directory"/> name: <c>using</c> (and <c>using static</c>) directives,
    /// fully qualified names, and names qualified from a parent namespace (<c>Planning.PlanDefaults</c> inside
    /// PgPanel.Core.Monitoring) — a constant used only so is still a dependency between namespaces.
    /// </summary>
    public NamespaceGraph WithSources(string directory)
    {
        var child = string.Join("|", _types.Keys.Where(n => n != _root).Select(n => Regex.Escape(n[(_root.Length + 1)..])).OrderByDescending(n => n.Length));
        var qualified = new Regex($@"(?<![\w.])(?:{Regex.Escape(_root)}\.)?({child})\.(\w+)", RegexOptions.CultureInvariant);
        var usingDirective = new Regex($@"^\s*using\s+(?:static\s+)?({Regex.Escape(_root)}(?:\.\w+)*)\s*;", RegexOptions.Multiline | RegexOptions.CultureInvariant);
        foreach (var file in Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(d => d is "obj" or "bin")))
        {
            var text = File.ReadAllText(file);
            if (Regex.Match(text, @"^\s*namespace\s+([\w.]+)", RegexOptions.Multiline) is not { Success: true } declared || !_edges.ContainsKey(declared.Groups[1].Value))
            {
                continue;
            }

            var from = declared.Groups[1].Value;
            var name = Path.GetFileName(file);
            foreach (Match u in usingDirective.Matches(text))
            {
                // using static names a type: its namespace is the longest known prefix.
                var used = u.Groups[1].Value;
                while (!_edges.ContainsKey(used) && used.Contains('.', StringComparison.Ordinal))
                {
                    used = used[..used.LastIndexOf('.')];
                }

                Add(from, used, $"{name}: using {u.Groups[1].Value}");
            }

            foreach (Match q in qualified.Matches(Code(text)))
            {
                var used = $"{_root}.{q.Groups[1].Value}";
                if (_types.TryGetValue(used, out var names) && names.Contains(q.Groups[2].Value))
                {
                    Add(from, used, $"{name}: {q.Value}");
                }
            }
        }

        return this;
    }

    private void Add(string from, string to, string evidence)
    {
        if (from == to || !_edges.ContainsKey(to))
        {
            return;
        }

        var uses = _edges[from].TryGetValue(to, out var found) ? found : _edges[from][to] = new(StringComparer.Ordinal);
        uses.Add(evidence);
    }

    /// <summary>The code of a C# file without its using directives, comments and string literals.</summary>
    private static string Code(string text)
    {
        text = Regex.Replace(text, @"^\s*using\s.*$", "", RegexOptions.Multiline);
        text = Regex.Replace(text, "\"\"\"[\\s\\S]*?\"\"\"", "\"\"");
        text = Regex.Replace(text, "@\"(?:[^\"]|\"\")*\"", "\"\"");
        text = Regex.Replace(text, "\"(?:[^\"\\\\\\n]|\\\\.)*\"", "\"\"");
        return Regex.Replace(text, "//.*$", "", RegexOptions.Multiline);
    }

    /// <summary>
    /// One entry per strongly connected group of namespaces (Tarjan): its members and a shortest cycle through the first,
    /// written "A → B → A" with the types that make each edge.
    /// </summary>
    public IReadOnlyList<string> Cycles()
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var groups = new List<List<string>>();

        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in _edges[v].Keys.Order(StringComparer.Ordinal))
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }

            if (low[v] == index[v])
            {
                var group = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    group.Add(w);
                }
                while (w != v);
                if (group.Count > 1)
                {
                    groups.Add(group);
                }
            }
        }

        foreach (var v in _edges.Keys.Order(StringComparer.Ordinal).Where(v => !index.ContainsKey(v)))
        {
            Visit(v);
        }

        return [.. groups.Select(CycleThrough)];
    }

    /// <summary>A shortest way from the group's first namespace back to itself, inside the group (breadth first).</summary>
    private string CycleThrough(List<string> group)
    {
        var members = group.ToHashSet();
        var start = group.Order(StringComparer.Ordinal).First();
        var previous = new Dictionary<string, string>();
        var queue = new Queue<string>([start]);
        while (queue.Count > 0)
        {
            var v = queue.Dequeue();
            foreach (var w in _edges[v].Keys.Where(members.Contains).Order(StringComparer.Ordinal))
            {
                if (w == start)
                {
                    var path = new List<string> { v };
                    while (path[^1] != start)
                    {
                        path.Add(previous[path[^1]]);
                    }

                    path.Reverse();
                    path.Add(start);
                    var steps = path.Zip(path.Skip(1), (a, b) => $"  {a} → {b}   ({Evidence(a, b)})");
                    var others = group.Count > path.Count - 1 ? $"\n  (one cycle of a group of {group.Count}: {string.Join(", ", group.Order(StringComparer.Ordinal))})" : "";
                    return $"{string.Join(" → ", path)}\n{string.Join("\n", steps)}{others}";
                }

                if (previous.TryAdd(w, v))
                {
                    queue.Enqueue(w);
                }
            }
        }

        throw new InvalidOperationException($"no cycle through {start}");
    }

    /// <summary>The first uses that make the edge, for a message.</summary>
    public string Evidence(string from, string to)
    {
        var uses = _edges[from][to];
        return string.Join(", ", uses.Take(3)) + (uses.Count > 3 ? $", … ({uses.Count} uses)" : "");
    }

    private static TypeDefinitionHandle Outermost(MetadataReader reader, TypeDefinitionHandle handle)
    {
        while (reader.GetTypeDefinition(handle).GetDeclaringType() is { IsNil: false } declaring)
        {
            handle = declaring;
        }

        return handle;
    }

    private static string NamespaceOf(MetadataReader reader, TypeDefinitionHandle handle) =>
        reader.GetString(reader.GetTypeDefinition(Outermost(reader, handle)).Namespace);

    private static string Name(MetadataReader reader, TypeDefinitionHandle handle) =>
        reader.GetString(reader.GetTypeDefinition(Outermost(reader, handle)).Name);

    /// <summary>The assembly's own types that one type definition uses (references to other assemblies are dropped).</summary>
    private sealed class Collector(MetadataReader reader, PEReader pe) : ISignatureTypeProvider<ImmutableArray<TypeDefinitionHandle>, object?>
    {
        private static readonly ImmutableArray<TypeDefinitionHandle> None = [];

        public IEnumerable<(TypeDefinitionHandle Used, TypeDefinitionHandle Outermost)> UsedBy(TypeDefinitionHandle handle)
        {
            var found = new HashSet<TypeDefinitionHandle>();
            Type(handle, found);
            return found.Select(t => (t, Outermost(reader, t)));
        }

        private void Type(TypeDefinitionHandle handle, HashSet<TypeDefinitionHandle> found)
        {
            var type = reader.GetTypeDefinition(handle);
            Entity(type.BaseType, found);
            foreach (var i in type.GetInterfaceImplementations())
            {
                Entity(reader.GetInterfaceImplementation(i).Interface, found);
            }

            GenericParameters(type.GetGenericParameters(), found);
            Attributes(type.GetCustomAttributes(), found);
            foreach (var f in type.GetFields())
            {
                Entity(f, found);
                Attributes(reader.GetFieldDefinition(f).GetCustomAttributes(), found);
            }

            foreach (var p in type.GetProperties())
            {
                var property = reader.GetPropertyDefinition(p);
                Signature(property.DecodeSignature(this, null), found);
                Attributes(property.GetCustomAttributes(), found);
            }

            foreach (var e in type.GetEvents())
            {
                Entity(reader.GetEventDefinition(e).Type, found);
            }

            foreach (var i in type.GetMethodImplementations())
            {
                Entity(reader.GetMethodImplementation(i).MethodDeclaration, found);
            }

            foreach (var m in type.GetMethods())
            {
                Method(m, found);
            }
        }

        private void Method(MethodDefinitionHandle handle, HashSet<TypeDefinitionHandle> found)
        {
            var method = reader.GetMethodDefinition(handle);
            Signature(method.DecodeSignature(this, null), found);
            GenericParameters(method.GetGenericParameters(), found);
            Attributes(method.GetCustomAttributes(), found);
            foreach (var p in method.GetParameters())
            {
                Attributes(reader.GetParameter(p).GetCustomAttributes(), found);
            }

            if (method.RelativeVirtualAddress == 0)
            {
                return;
            }

            var body = pe.GetMethodBody(method.RelativeVirtualAddress);
            if (!body.LocalSignature.IsNil)
            {
                foreach (var local in reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(this, null))
                {
                    found.UnionWith(local);
                }
            }

            foreach (var region in body.ExceptionRegions)
            {
                Entity(region.CatchType, found);
            }

            Il(body.GetILReader(), found);
        }

        /// <summary>Walks the IL one instruction at a time and follows every metadata token it carries.</summary>
        private void Il(BlobReader il, HashSet<TypeDefinitionHandle> found)
        {
            while (il.RemainingBytes > 0)
            {
                short code = il.ReadByte();
                if (code == 0xFE)
                {
                    code = (short)(0xFE00 | il.ReadByte());
                }

                switch (OperandTypes[code])
                {
                    case OperandType.InlineField:
                    case OperandType.InlineMethod:
                    case OperandType.InlineTok:
                    case OperandType.InlineType:
                    case OperandType.InlineSig:
                        Entity(MetadataTokens.EntityHandle(il.ReadInt32()), found);
                        break;
                    case OperandType.InlineSwitch:
                        var targets = il.ReadInt32();
                        il.Offset += 4 * targets;
                        break;
                    case OperandType.InlineI8:
                    case OperandType.InlineR:
                        il.Offset += 8;
                        break;
                    case OperandType.InlineBrTarget:
                    case OperandType.InlineI:
                    case OperandType.InlineString:
                    case OperandType.ShortInlineR:
                        il.Offset += 4;
                        break;
                    case OperandType.InlineVar:
                        il.Offset += 2;
                        break;
                    case OperandType.ShortInlineBrTarget:
                    case OperandType.ShortInlineI:
                    case OperandType.ShortInlineVar:
                        il.Offset += 1;
                        break;
                    case OperandType.InlineNone:
                        break;
                    default:
                        throw new InvalidOperationException($"unknown operand type of opcode 0x{code:X}");
                }
            }
        }

        private void Entity(EntityHandle handle, HashSet<TypeDefinitionHandle> found)
        {
            if (handle.IsNil)
            {
                return;
            }

            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    found.Add((TypeDefinitionHandle)handle);
                    break;
                case HandleKind.TypeSpecification:
                    found.UnionWith(reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null));
                    break;
                case HandleKind.MethodDefinition:
                    var method = reader.GetMethodDefinition((MethodDefinitionHandle)handle);
                    found.Add(method.GetDeclaringType());
                    Signature(method.DecodeSignature(this, null), found);
                    break;
                case HandleKind.FieldDefinition:
                    var field = reader.GetFieldDefinition((FieldDefinitionHandle)handle);
                    found.Add(field.GetDeclaringType());
                    found.UnionWith(field.DecodeSignature(this, null));
                    break;
                case HandleKind.MemberReference:
                    var member = reader.GetMemberReference((MemberReferenceHandle)handle);
                    Entity(member.Parent, found);
                    if (member.GetKind() == MemberReferenceKind.Method)
                    {
                        Signature(member.DecodeMethodSignature(this, null), found);
                    }
                    else
                    {
                        found.UnionWith(member.DecodeFieldSignature(this, null));
                    }

                    break;
                case HandleKind.MethodSpecification:
                    var specification = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                    Entity(specification.Method, found);
                    foreach (var argument in specification.DecodeSignature(this, null))
                    {
                        found.UnionWith(argument);
                    }

                    break;
                case HandleKind.StandaloneSignature:
                    var standalone = reader.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                    if (standalone.GetKind() == StandaloneSignatureKind.Method)
                    {
                        Signature(standalone.DecodeMethodSignature(this, null), found);
                    }

                    break;
            }
        }

        private void Attributes(CustomAttributeHandleCollection attributes, HashSet<TypeDefinitionHandle> found)
        {
            foreach (var a in attributes)
            {
                Entity(reader.GetCustomAttribute(a).Constructor, found);
            }
        }

        private void GenericParameters(GenericParameterHandleCollection parameters, HashSet<TypeDefinitionHandle> found)
        {
            foreach (var p in parameters)
            {
                foreach (var c in reader.GetGenericParameter(p).GetConstraints())
                {
                    Entity(reader.GetGenericParameterConstraint(c).Type, found);
                }
            }
        }

        private static void Signature(MethodSignature<ImmutableArray<TypeDefinitionHandle>> signature, HashSet<TypeDefinitionHandle> found)
        {
            found.UnionWith(signature.ReturnType);
            foreach (var p in signature.ParameterTypes)
            {
                found.UnionWith(p);
            }
        }

        public ImmutableArray<TypeDefinitionHandle> GetTypeFromDefinition(MetadataReader r, TypeDefinitionHandle handle, byte rawTypeKind) => [handle];

        public ImmutableArray<TypeDefinitionHandle> GetTypeFromReference(MetadataReader r, TypeReferenceHandle handle, byte rawTypeKind) => None;

        public ImmutableArray<TypeDefinitionHandle> GetTypeFromSpecification(MetadataReader r, object? context, TypeSpecificationHandle handle, byte rawTypeKind) =>
            r.GetTypeSpecification(handle).DecodeSignature(this, context);

        public ImmutableArray<TypeDefinitionHandle> GetPrimitiveType(PrimitiveTypeCode typeCode) => None;

        public ImmutableArray<TypeDefinitionHandle> GetGenericTypeParameter(object? context, int index) => None;

        public ImmutableArray<TypeDefinitionHandle> GetGenericMethodParameter(object? context, int index) => None;

        public ImmutableArray<TypeDefinitionHandle> GetGenericInstantiation(ImmutableArray<TypeDefinitionHandle> genericType, ImmutableArray<ImmutableArray<TypeDefinitionHandle>> typeArguments) =>
            [.. genericType, .. typeArguments.SelectMany(a => a)];

        public ImmutableArray<TypeDefinitionHandle> GetFunctionPointerType(MethodSignature<ImmutableArray<TypeDefinitionHandle>> signature) =>
            [.. signature.ReturnType, .. signature.ParameterTypes.SelectMany(p => p)];

        public ImmutableArray<TypeDefinitionHandle> GetModifiedType(ImmutableArray<TypeDefinitionHandle> modifier, ImmutableArray<TypeDefinitionHandle> unmodifiedType, bool isRequired) =>
            [.. modifier, .. unmodifiedType];

        public ImmutableArray<TypeDefinitionHandle> GetSZArrayType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetArrayType(ImmutableArray<TypeDefinitionHandle> elementType, ArrayShape shape) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetByReferenceType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetPointerType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetPinnedType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;
    }
}
