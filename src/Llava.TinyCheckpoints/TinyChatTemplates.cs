namespace Llava.TinyCheckpoints;

/// <summary>The llava-hf repositories' <c>chat_template.json</c> templates, verbatim.</summary>
internal static class TinyChatTemplates
{
    /// <summary>llava-1.5-*-hf and llava-v1.6-vicuna-*-hf: <c>USER: &lt;image&gt;\n{q} ASSISTANT:</c>.</summary>
    public const string Vicuna =
        "{% for message in messages %}{% if message['role'] != 'system' %}{{ message['role'].upper() + ': '}}"
        + "{% endif %}{# Render all images first #}{% for content in message['content'] | selectattr('type', "
        + "'equalto', 'image') %}{{ '<image>\n' }}{% endfor %}{# Render all text next #}{% if message['role'] != "
        + "'assistant' %}{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}"
        + "{{ content['text'] + ' '}}{% endfor %}{% else %}{% for content in message['content'] | selectattr('type', "
        + "'equalto', 'text') %}{% generation %}{{ content['text'] + ' '}}{% endgeneration %}{% endfor %}{% endif %}"
        + "{% endfor %}{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}";

    /// <summary>llava-v1.6-mistral-7b-hf: <c>[INST] &lt;image&gt;\n{q} [/INST]</c>.</summary>
    public const string Mistral =
        "{% for message in messages %}{% if message['role'] == 'system' %}{{ '<<SYS>>\n' + message['content'][0]"
        + "['text'] + '\n<</SYS>>\n\n' }}{% elif message['role'] == 'user' %}{{ '[INST] ' }}{# Render all images "
        + "first #}{% for content in message['content'] | selectattr('type', 'equalto', 'image') %}"
        + "{{ '<image>\n' }}{% endfor %}{# Render all text next #}{% for content in message['content'] | "
        + "selectattr('type', 'equalto', 'text') %}{{ content['text'] }}{% endfor %}{{' [/INST]' }}{% elif "
        + "message['role'] == 'assistant' %}{{ ' ' + message['content'][0]['text'] + '</s> '}}{% else %}"
        + "{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}";

    /// <summary>llava-v1.6-34b-hf: ChatML, <c>&lt;|im_start|&gt;user\n&lt;image&gt;\n{q}&lt;|im_end|&gt;\n&lt;|im_start|&gt;assistant\n</c>.</summary>
    public const string ChatMl =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n'}}{# Render all images first #}"
        + "{% for content in message['content'] | selectattr('type', 'equalto', 'image') %}{{ '<image>\n' }}"
        + "{% endfor %}{# Render all text next #}{% for content in message['content'] | selectattr('type', "
        + "'equalto', 'text') %}{{ content['text'] }}{% endfor %}{{'<|im_end|>' + '\n'}}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";
}
