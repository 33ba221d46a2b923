using System.Text;

namespace StepUp.Engine.Hyper;

/// <summary>
/// Parses the value language of reference §9.2: the entries of Inp, Out and Params
/// (<c>name=VALUE;...</c>) and the value of a Global. Errors carry the offset of the character at
/// fault, which the planner turns into a file column.
/// </summary>
public sealed class ValueParser
{
    // Characters that end an unquoted literal, or have a meaning of their own in it.
    const string Reserved = "()[]\"'+*$@;";

    readonly string _text;
    readonly string _assigned;
    int _pos;
    int _end;

    ValueParser(string text, string assigned)
    {
        _text = text;
        _assigned = assigned;
    }

    /// <summary>The entries of one metadata value; empty entries are dropped, as MSBuild lists do.</summary>
    public static List<EntrySpec> ParseEntries(string text, EntryKind kind)
    {
        var entries = new List<EntrySpec>();
        foreach (var (start, end) in SplitEntries(text))
        {
            var first = start;
            while (first < end && char.IsWhiteSpace(text[first])) first++;
            var last = end;
            while (last > first && char.IsWhiteSpace(text[last - 1])) last--;
            if (first == last) continue;
            var nameEnd = first;
            while (nameEnd < last && Names.IsNameChar(text[nameEnd])) nameEnd++;
            var equals = nameEnd;
            while (equals < last && char.IsWhiteSpace(text[equals])) equals++;
            if (nameEnd > first && Names.IsNameStart(text[first]) && equals < last && text[equals] == '=')
            {
                var name = text[first..nameEnd];
                var parser = new ValueParser(text, name) { _pos = equals + 1, _end = last };
                parser.SkipSpace();
                if (parser._pos >= last)
                    throw new HyperSyntaxException(Codes.EmptyValue, equals, $"'{name}' has an empty value.");
                var value = parser.ParseValue();
                parser.SkipSpace();
                if (parser._pos < last) throw parser.Unexpected("after the value of '" + name + "'");
                entries.Add(new EntrySpec(kind, name, value, first, Explicit: true));
                continue;
            }
            var bare = text[first..last];
            if (bare[0] is '(' or '$' or '@' || kind == EntryKind.Param)
                throw new HyperSyntaxException(Codes.UnnamedValue, first,
                    $"'{bare}' has no name; write name=VALUE" + (kind == EntryKind.Param ? " (every parameter is named)." : "."));
            entries.Add(new EntrySpec(kind, kind == EntryKind.Output && Names.IsName(bare) ? bare : null, new LiteralValue(first, bare), first, Explicit: false));
        }
        return entries;
    }

    /// <summary>The value of a Global named <paramref name="name"/>.</summary>
    public static ValueNode ParseGlobal(string text, string name)
    {
        var parser = new ValueParser(text, name) { _end = text.Length };
        parser.SkipSpace();
        if (parser._pos >= text.Length) throw new HyperSyntaxException(Codes.EmptyValue, 0, $"Global '{name}' has an empty value.");
        var value = parser.ParseValue();
        parser.SkipSpace();
        if (parser._pos < text.Length) throw parser.Unexpected("after the value");
        return value;
    }

    /// <summary>Splits on ';' outside quotes, parentheses and brackets.</summary>
    static List<(int Start, int End)> SplitEntries(string text)
    {
        var parts = new List<(int, int)>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '"' or '\'')
            {
                i = ClosingQuote(text, i);
                if (i < 0) throw new HyperSyntaxException(Codes.BadValue, text.Length, "A quoted value is not closed.");
            }
            else if (c is '(' or '[') depth++;
            else if (c is ')' or ']') depth--;
            else if (c == ';' && depth <= 0)
            {
                parts.Add((start, i));
                start = i + 1;
                depth = 0;
            }
        }
        parts.Add((start, text.Length));
        return parts;
    }

    static int ClosingQuote(string text, int open)
    {
        for (var i = open + 1; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length) i++;
            else if (text[i] == text[open]) return i;
        }
        return -1;
    }

    void SkipSpace()
    {
        while (_pos < _end && char.IsWhiteSpace(_text[_pos])) _pos++;
    }

    char Peek => _pos < _end ? _text[_pos] : '\0';

    HyperSyntaxException Unexpected(string where) =>
        _pos >= _end
            ? new HyperSyntaxException(Codes.BadValue, _pos, "The value ends too early " + where + ".")
            : new HyperSyntaxException(Codes.BadValue, _pos, $"Unexpected '{_text[_pos]}' {where}" +
                (_text[_pos] is '+' or '*' or '$' or '@' ? $"; quote a value that contains '{_text[_pos]}'." : "."));

    ValueNode ParseValue()
    {
        SkipSpace();
        return Peek switch
        {
            '(' => ParseBranchPoint(),
            '"' or '\'' => ParseQuoted(),
            '$' => ParseDollar(),
            '@' => ParseShorthand(),
            '\0' => throw Unexpected("where a value should be"),
            var c when Reserved.Contains(c) => throw Unexpected("where a value should be"),
            _ => ParseLiteral(),
        };
    }

    LiteralValue ParseLiteral()
    {
        var start = _pos;
        while (_pos < _end && !char.IsWhiteSpace(_text[_pos]) && !Reserved.Contains(_text[_pos])) _pos++;
        return new LiteralValue(start, _text[start.._pos]);
    }

    LiteralValue ParseQuoted()
    {
        var start = _pos;
        var quote = _text[_pos++];
        var text = new StringBuilder();
        while (_pos < _end && _text[_pos] != quote)
        {
            if (_text[_pos] == '\\' && _pos + 1 < _end && (_text[_pos + 1] == quote || _text[_pos + 1] == '\\')) _pos++;
            text.Append(_text[_pos++]);
        }
        if (_pos >= _end) throw new HyperSyntaxException(Codes.BadValue, start, "A quoted value is not closed.");
        _pos++;
        return new LiteralValue(start, text.ToString());
    }

    string ReadName(string what)
    {
        var start = _pos;
        if (_pos < _end && Names.IsNameStart(_text[_pos]))
            while (_pos < _end && Names.IsNameChar(_text[_pos])) _pos++;
        if (_pos == start) throw new HyperSyntaxException(Codes.BadValue, _pos, $"Expected {what} ([A-Za-z_][A-Za-z0-9_]*).");
        return _text[start.._pos];
    }

    string ReadStepName()
    {
        var start = _pos;
        while (_pos < _end && Names.IsBranchChar(_text[_pos])) _pos++;
        return _text[start.._pos];
    }

    string ReadBranchName(string what)
    {
        var start = _pos;
        while (_pos < _end && Names.IsBranchChar(_text[_pos])) _pos++;
        if (_pos == start) throw new HyperSyntaxException(Codes.BadValue, _pos, $"Expected {what} ([A-Za-z0-9_.-]+).");
        return _text[start.._pos];
    }

    /// <summary><c>$g</c>, <c>${g}</c>, <c>$entry@step</c>, each with an optional graft.</summary>
    ValueNode ParseDollar()
    {
        var start = _pos++;
        var braced = Peek == '{';
        if (braced) _pos++;
        var name = ReadName("a name after '$'");
        if (braced)
        {
            if (Peek != '}') throw Unexpected("where '}' should close ${" + name);
            _pos++;
        }
        if (Peek == '@')
        {
            _pos++;
            var step = ReadStepName();
            if (step.Length == 0) throw Unexpected($"where a step name should follow '${name}@'");
            return new ReferenceValue(start, name, step, ParseGraft());
        }
        return new GlobalValue(start, name, ParseGraft());
    }

    /// <summary><c>@step</c> (the entry of the same name) or <c>@</c> (the global of the same name).</summary>
    ValueNode ParseShorthand()
    {
        var start = _pos++;
        var step = ReadStepName();
        return step.Length > 0 ? new ReferenceValue(start, null, step, ParseGraft()) : new GlobalValue(start, null, ParseGraft());
    }

    GraftSpec? ParseGraft()
    {
        if (Peek != '[') return null;
        var start = _pos++;
        var terms = new List<GraftTerm>();
        while (true)
        {
            SkipSpace();
            var termStart = _pos;
            var bp = ReadName("a branch point name in the graft");
            SkipSpace();
            if (Peek != ':') throw Unexpected($"where ':' should follow '{bp}' in the graft");
            _pos++;
            SkipSpace();
            string? branch;
            if (Peek == '*') { _pos++; branch = null; }
            else branch = ReadBranchName($"a branch of {bp} (or '*')");
            if (terms.Any(t => t.BranchPoint == bp))
                throw new HyperSyntaxException(Codes.BadValue, termStart, $"The graft names branch point {bp} twice.");
            terms.Add(new GraftTerm(termStart, bp, branch));
            SkipSpace();
            if (Peek == ',') { _pos++; continue; }
            if (Peek == ']') { _pos++; break; }
            throw Unexpected("in the graft, where ',' or ']' should be");
        }
        return new GraftSpec(start, terms);
    }

    /// <summary><c>(BP: a=x b=y)</c>, <c>(BP: x y)</c> or <c>(BP: 1..10[..step])</c>.</summary>
    BranchPointValue ParseBranchPoint()
    {
        var start = _pos++;
        SkipSpace();
        if (!(_pos < _end && Names.IsNameStart(_text[_pos])))
            throw new HyperSyntaxException(Codes.BadValue, _pos, "A branch point needs a name: (Name: a=x b=y).");
        var name = ReadName("a branch point name");
        SkipSpace();
        if (Peek != ':')
            throw new HyperSyntaxException(Codes.BadValue, start, $"A branch point needs a name followed by ':': ({name}: ...).");
        _pos++;
        SkipSpace();

        var tokenEnd = _pos;
        while (tokenEnd < _end && !char.IsWhiteSpace(_text[tokenEnd]) && _text[tokenEnd] != ')') tokenEnd++;
        var token = _text[_pos..tokenEnd];
        if (DecimalSequence.Looks(token))
        {
            var seqStart = _pos;
            _pos = tokenEnd;
            SkipSpace();
            if (Peek != ')') throw Unexpected($"after the sequence of {name}, where ')' should be");
            _pos++;
            var branches = DecimalSequence.Expand(token, seqStart)
                .Select(n => new BranchValue(seqStart, n, new LiteralValue(seqStart, n))).ToList();
            return new BranchPointValue(start, name, branches, IsSequence: true);
        }

        var list = new List<BranchValue>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            SkipSpace();
            if (Peek == ')') { _pos++; break; }
            if (_pos >= _end) throw new HyperSyntaxException(Codes.BadValue, start, $"The branch point {name} is not closed with ')'.");
            var branchStart = _pos;
            var nameEnd = _pos;
            while (nameEnd < _end && Names.IsBranchChar(_text[nameEnd])) nameEnd++;
            string branchName;
            ValueNode value;
            if (nameEnd > _pos && nameEnd < _end && _text[nameEnd] == '=')
            {
                branchName = _text[_pos..nameEnd];
                _pos = nameEnd + 1;
                if (_pos >= _end || char.IsWhiteSpace(_text[_pos]) || _text[_pos] == ')')
                    throw new HyperSyntaxException(Codes.EmptyValue, branchStart, $"Branch '{branchName}' of {name} has an empty value.");
                value = ParseValue();
            }
            else
            {
                value = ParseValue();
                branchName = AnonymousBranchName(value);
                if (!Names.IsBranchName(branchName))
                    throw new HyperSyntaxException(Codes.BadBranchName, branchStart,
                        $"'{branchName}' is not a valid branch name of {name} ([A-Za-z0-9_.-]+); name the branch: ({name}: b1={Shown(value)}).");
            }
            if (!names.Add(branchName))
                throw new HyperSyntaxException(Codes.DuplicateBranch, branchStart, $"Branch point {name} lists branch '{branchName}' twice.");
            list.Add(new BranchValue(branchStart, branchName, value));
        }
        if (list.Count == 0) throw new HyperSyntaxException(Codes.BadValue, start, $"The branch point {name} has no branches.");
        return new BranchPointValue(start, name, list, IsSequence: false);
    }

    /// <summary>An anonymous branch is named by its value: the text, a referenced entry or global, or a nested branch point.</summary>
    string AnonymousBranchName(ValueNode value) => value switch
    {
        LiteralValue l => l.Text,
        ReferenceValue r => r.Entry ?? _assigned,
        GlobalValue g => g.Name ?? _assigned,
        BranchPointValue bp => bp.Name,
        _ => "",
    };

    string Shown(ValueNode value) => value is LiteralValue l ? "\"" + l.Text + "\"" : "...";
}
