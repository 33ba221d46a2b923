using System;

namespace StepUp.Protocol
{
    /// <summary>
    /// How a message travels. StepUp.Protocol.Generator writes, at compile time, each partial
    /// message class's WriteFields and static Read from the [Wire] properties of the class and its
    /// bases: straight-line code, as if written by hand, because field tables built at run time
    /// cost every fresh `stepup` process (one per shell step) tens of milliseconds of JIT.
    /// </summary>
    /// <remarks>
    /// On a message class, [Wire] gives its "type" (TypeName and Type are generated). On a property,
    /// the field's name. The fields are written in the order of the properties, those of a base
    /// class first; they are read the class's own first, then its bases' from the root down, so
    /// that a frame with several faults is refused for the same one as before the fields were
    /// declared this way.
    /// <para>
    /// What a property's type carries: string, bool, int and double as JSON values;
    /// List&lt;string&gt; as an array; Dictionary&lt;string, string&gt; and
    /// Dictionary&lt;string, int&gt; as objects; a list of a class with [Wire] fields as an array
    /// of objects; and, with no name, such a class itself: its fields inline. A nullable property
    /// is left out while null. A field that a frame leaves out, or sends as null, reads as the
    /// property's initial value. A field with an encoding of its own travels as a private property
    /// that converts.
    /// </para>
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Property)]
    sealed class WireAttribute : Attribute
    {
        public WireAttribute(string name, WireRule rules = WireRule.None)
        {
            Name = name;
            Rules = rules;
        }

        /// <summary>A property of a class with [Wire] fields, whose fields travel in this object.</summary>
        public WireAttribute() : this("") { }

        public string Name { get; }

        public WireRule Rules { get; }

        /// <summary>nameof what a frame without the field reads as, where that is not the initial value.</summary>
        public string? Missing { get; set; }

        /// <summary>nameof a static method that takes the value read and gives it back, or throws a <see cref="ProtocolException"/>.</summary>
        public string? Check { get; set; }
    }

    /// <summary>How a field departs from the plain rules of <see cref="WireAttribute"/>.</summary>
    [Flags]
    enum WireRule
    {
        None = 0,

        /// <summary>Left out while the property has its initial value; a collection, while it is empty.</summary>
        OmitDefault = 1,

        /// <summary>A string that the frame must give, not empty.</summary>
        Required = 2,

        /// <summary>An empty string reads as the initial value too.</summary>
        EmptyIsDefault = 4,

        /// <summary>
        /// Written before the fields of the class this one derives from (after those of that class's
        /// bases), as a step's command travels before its definition.
        /// </summary>
        BeforeBase = 8,
    }
}
